#pragma once

namespace sluice::core {

/// Blocks SIGPIPE for the calling thread. Every thread that writes to a socket on behalf of a
/// remote peer (the broker's network threads, the HTTP endpoint's thread) runs this first:
/// `sendfile` has no MSG_NOSIGNAL, and a peer that closes while an answer is being sent would
/// otherwise raise SIGPIPE, whose default action ends the whole process — the broker, a worker
/// embedding it, or any program linking the library. Blocking the signal on our own threads
/// (not ignoring it process-wide) leaves the host program's signal dispositions untouched; the
/// write fails with EPIPE and ends only that connection. The signal stays pending on the thread
/// and is never delivered.
void block_peer_signals_on_this_thread();

}  // namespace sluice::core
