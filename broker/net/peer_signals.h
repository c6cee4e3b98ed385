#pragma once

namespace sluice::broker::net {

/// Blocks SIGPIPE for the calling thread. Every thread of the broker that writes to a socket
/// runs this first: `sendfile` has no MSG_NOSIGNAL, and a peer that closes while an answer is
/// sent from a file would otherwise raise SIGPIPE, whose default action ends the whole process
/// — the broker, a worker embedding it, or any program linking the library. Blocking the
/// signal on the broker's own threads (not ignoring it process-wide) leaves the disposition of
/// the host program untouched; the write fails with EPIPE and ends only that connection. The
/// signal stays pending on the thread and is never delivered.
void block_peer_signals_on_this_thread();

}  // namespace sluice::broker::net
