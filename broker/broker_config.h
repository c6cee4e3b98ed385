#pragma once
/// The broker's configuration keys (Kafka's names where Kafka has one) and their translation
/// into `broker_options`. Used by `sluice-broker`'s main and by anything that starts a broker
/// from properties (the embedded-broker launcher).
///
/// Start-up errors throw `core::config_exception` naming the key.

#include "broker/broker.h"
#include "core/config.h"

namespace sluice::broker {

/// Every key `sluice-broker` accepts, with defaults, ranges and documentation.
const core::config_def& broker_config_def();

/// Fault-injection keys for tests (`sluice.test.*`). They are not broker configuration:
/// `broker_config_def()` rejects them, DescribeConfigs never reports them and AlterConfigs cannot
/// set them. `sluice-broker` accepts them in `--set` only with `--enable-test-hooks`; in-process
/// brokers set `broker_options::test_hooks`.
const core::config_def& test_hook_config_def();

/// Enables test hooks in `options` and applies `hooks` (parsed with test_hook_config_def()).
void apply_test_hooks(broker_options& options, const core::config& hooks);

/// Resolves parsed configuration into broker options. Throws core::config_exception for values
/// that are individually valid but unusable together or malformed addresses.
broker_options to_broker_options(const core::config& config);

/// The inverse of `to_broker_options`: every key of `broker_config_def()` with the text of the
/// value `options` holds (what DescribeConfigs reports as the broker's static configuration).
core::properties to_properties(const broker_options& options);

/// Splits "host:port", "PLAINTEXT://host:port" or "[::1]:port". Throws config_exception naming
/// `key` on anything else.
std::pair<std::string, uint16_t> parse_listener(std::string_view key, std::string_view value);

}  // namespace sluice::broker
