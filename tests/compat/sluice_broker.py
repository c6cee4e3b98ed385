"""What the Python cross-client tests share: a sluice-broker process on a free port of
127.0.0.1 with a temporary data directory, and the way a test fails."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_against_broker(broker_bin, run, settings=()):
    """Starts `broker_bin` (each of `settings` passed as --set key=value), waits until it
    accepts connections, calls run(bootstrap), then stops it with SIGTERM and removes its data."""
    work = tempfile.mkdtemp()
    port = free_port()
    command = [broker_bin, "--listen", "127.0.0.1:%d" % port, "--data-dir",
               os.path.join(work, "data"), "--set", "log.level=warn"]
    for setting in settings:
        command += ["--set", setting]
    broker = subprocess.Popen(command)
    try:
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                if time.time() > deadline:
                    fail("the broker did not start")
                time.sleep(0.1)
        run("127.0.0.1:%d" % port)
    finally:
        broker.send_signal(signal.SIGTERM)
        broker.wait(30)
        shutil.rmtree(work, ignore_errors=True)
