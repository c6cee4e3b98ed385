// topology-graph: writes the two flagship topologies — the page-view example's windowed count
// and the order–payment example's join, exactly as those examples build them (their
// `make_topology()`) — as Graphviz DOT and as Kafka-Streams-style text, for `dot -Tpng` to turn
// into a picture.
//
//     topology-graph [output-dir]        # default: the current directory
//
// Writes page_views.dot, page_views.txt, orders_payments.dot, orders_payments.txt.

#include "examples/order_payment_join/order_payment_join.h"
#include "examples/page_views/page_views.h"

#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>

namespace {

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
  std::cout << "wrote " << path.string() << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2) {
    std::cerr << "usage: topology-graph [output-dir]\n";
    return 2;
  }
  try {
    const std::filesystem::path dir = argc == 2 ? argv[1] : ".";
    std::filesystem::create_directories(dir);
    const sluice::topology views = page_views::make_topology();
    const sluice::topology orders = order_payment_join::make_topology();
    write(dir / "page_views.dot", views.to_dot());
    write(dir / "page_views.txt", views.describe());
    write(dir / "orders_payments.dot", orders.to_dot());
    write(dir / "orders_payments.txt", orders.describe());
  } catch (const std::exception& e) {
    std::cerr << "topology-graph: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
