#pragma once
/// Forward declarations of the dsl module's main types, for headers that only name them.

namespace sluice::dsl {

class topology;
class topology_error;
class processing_error;
class processor_node;
class source_node;
class task_context;
class processor_task;
class record_collector;
class store_provider;
class streams_builder;
struct erased_record;
struct store_spec;
struct task_id;
struct task_config;

template <class K, class V>
class kstream;
template <class K, class V>
class ktable;
template <class K, class V>
class kgrouped_stream;
template <class K, class V>
class time_windowed_kstream;
template <class K, class V>
class session_windowed_kstream;
template <class K>
struct windowed;

}  // namespace sluice::dsl
