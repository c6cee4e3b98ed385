#pragma once
/// `store_node<Store>`: the base of the DSL nodes that keep their state in one store (table
/// sources, materialized table operators, suppress, aggregations): the store's name, given at
/// construction, and the store itself, looked up in the task by `init()`.

#include "dsl/detail/task.h"

#include <string>
#include <utility>

namespace sluice::dsl::detail {

template <class Store>
class store_node : public processor_node {
 public:
  explicit store_node(std::string store) : _store_name(std::move(store)) {}
  void init() override { _store = &context().template store<Store>(*this, _store_name); }

 protected:
  std::string _store_name;
  Store* _store = nullptr;
};

}  // namespace sluice::dsl::detail
