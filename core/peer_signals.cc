#include "core/peer_signals.h"

#include <pthread.h>

#include <csignal>

namespace sluice::core {

void block_peer_signals_on_this_thread() {
  sigset_t peer;
  sigemptyset(&peer);
  sigaddset(&peer, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &peer, nullptr);
}

}  // namespace sluice::core
