#pragma once
/// The one header users include to write Sluice topologies: the builder, streams, tables,
/// grouped and windowed streams, joins, the Processor API and the parameter objects.

#include "dsl/kstream.h"
#include "dsl/parameters.h"
#include "dsl/streams_builder.h"
#include "dsl/timestamp_extractor.h"
#include "dsl/topology.h"
#include "dsl/windows.h"
