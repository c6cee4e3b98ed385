#pragma once
// The `sluice` CLI's commands (internal to the CLI), one function per subcommand; main.cc maps
// the command line onto them. Each throws cli_error with the one line to print on failure.

#include "runtime/cli/admin_client.h"

#include <optional>
#include <string>
#include <vector>

namespace sluice::cli {

// topics.cc
void topics_list(const global_options& g, bool all);
void topics_create(const global_options& g, const std::string& name, int partitions, int rf,
                   const std::vector<std::string>& configs);
void topics_describe(const global_options& g, const std::string& name);
void topics_delete(const global_options& g, const std::string& name);
void topics_alter_partitions(const global_options& g, const std::string& name, int total);

// configs.cc
void configs_describe(const global_options& g, const std::string& topic, const std::optional<int>& broker);
void configs_alter(const global_options& g, const std::string& topic, const std::optional<int>& broker,
                   const std::vector<std::string>& settings);

// groups.cc (offsets too: both resolve positions the same way)
void groups_list(const global_options& g);
void groups_describe(const global_options& g, const std::string& group);
void groups_delete(const global_options& g, const std::string& group);
void groups_reset_offsets(const global_options& g, const std::string& group, const std::string& topic,
                          const std::string& to, bool dry_run);
void offsets(const global_options& g, const std::string& topic, const std::string& time);

}  // namespace sluice::cli
