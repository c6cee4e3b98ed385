#pragma once
/// The one header users include to write Sluice topologies: the builder, streams, tables,
/// grouped and windowed streams, joins, the Processor API and the parameter objects.
/// (The test driver is in "dsl/testing/topology_test_driver.h".)

#include "dsl/joins.h"
#include "dsl/kgrouped_stream.h"
#include "dsl/kstream.h"
#include "dsl/ktable.h"
#include "dsl/parameters.h"
#include "dsl/processor.h"
#include "dsl/streams_builder.h"
#include "dsl/timestamp_extractor.h"
#include "dsl/topology.h"
#include "dsl/topology_error.h"
#include "dsl/windows.h"
