#include "core/config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace sluice::core {
namespace {

std::optional<std::string> non_empty_list(std::string_view value) {
  if (value.find_first_not_of(", \t") == std::string_view::npos) {
    return "a non-empty list of directories";
  }
  return std::nullopt;
}

config_def broker_like_def() {
  config_def def;
  def.define({.name = "num.partitions",
              .type = config_type::integer,
              .default_value = "1",
              .doc = "Partitions of auto-created topics.",
              .int_bounds = int_range{1, 10000}})
      .define({.name = "log.dirs",
               .type = config_type::list,
               .doc = "Data directories.",
               .validator = non_empty_list})
      .define({.name = "cleanup.policy",
               .type = config_type::enumeration,
               .default_value = "delete",
               .doc = "Retention policy.",
               .accepted = {"delete", "compact"}})
      .define({.name = "auto.create.topics.enable",
               .type = config_type::boolean,
               .default_value = "true",
               .doc = "Create topics on first use."})
      .define({.name = "min.cleanable.ratio",
               .type = config_type::floating,
               .default_value = "0.5",
               .doc = "Dirty ratio that triggers compaction.",
               .double_bounds = double_range{0.0, 1.0}})
      .define({.name = "retention.ms",
               .type = config_type::integer,
               .default_value = "604800000",
               .doc = "Age after which segments are deleted; -1 keeps them forever.",
               .int_bounds = int_range{.min = -1}})
      .define({.name = "advertised.host",
               .type = config_type::string,
               .default_value = "",
               .doc = "Host name given to clients."})
      .define({.name = "ssl.key.password",
               .type = config_type::string,
               .default_value = "",
               .doc = "Key password.",
               .int_bounds = std::nullopt,
               .double_bounds = std::nullopt,
               .accepted = {},
               .validator = [](std::string_view v) -> std::optional<std::string> {
                 if (!v.empty() && v.size() < 8) return "a password of at least 8 characters";
                 return std::nullopt;
               },
               .sensitive = true})
      .allow_prefix("consumer.")
      .allow_prefix("producer.");
  return def;
}

std::string parse_error(const config_def& def, const properties& values) {
  try {
    (void)def.parse(values);
  } catch (const config_exception& e) {
    return e.what();
  }
  return "<no error>";
}

// ---- parsing and typed getters ------------------------------------------------------------------

TEST(config, defaults_fill_unset_keys) {
  const auto def = broker_like_def();
  const config c = def.parse({{"log.dirs", "/data/a"}});
  EXPECT_EQ(c.get_int("num.partitions"), 1);
  EXPECT_TRUE(c.is_default("num.partitions"));
  EXPECT_EQ(c.get_string("cleanup.policy"), "delete");
  EXPECT_TRUE(c.get_bool("auto.create.topics.enable"));
  EXPECT_DOUBLE_EQ(c.get_double("min.cleanable.ratio"), 0.5);
  EXPECT_EQ(c.get_ms("retention.ms"), std::chrono::days(7));
  EXPECT_EQ(c.get_string("advertised.host"), "");
  EXPECT_EQ(c.get_list("log.dirs"), (std::vector<std::string>{"/data/a"}));
  EXPECT_FALSE(c.is_default("log.dirs"));
}

TEST(config, typed_values_are_parsed_and_trimmed) {
  const auto def = broker_like_def();
  const config c = def.parse({{"log.dirs", " /a , /b,, /c "},
                              {"num.partitions", " +12 "},
                              {"cleanup.policy", "compact"},
                              {"auto.create.topics.enable", "FALSE"},
                              {"min.cleanable.ratio", "0.25"},
                              {"retention.ms", "-1"},
                              {"advertised.host", "  broker-1.example  "}});
  EXPECT_EQ(c.get_list("log.dirs"), (std::vector<std::string>{"/a", "/b", "/c"}));
  EXPECT_EQ(c.get_int("num.partitions"), 12);
  EXPECT_EQ(c.get_string("cleanup.policy"), "compact");
  EXPECT_FALSE(c.get_bool("auto.create.topics.enable"));
  EXPECT_DOUBLE_EQ(c.get_double("min.cleanable.ratio"), 0.25);
  EXPECT_EQ(c.get_int("retention.ms"), -1);
  EXPECT_EQ(c.get_string("advertised.host"), "broker-1.example");
}

TEST(config, integer_edges) {
  config_def def;
  def.define({.name = "n", .type = config_type::integer, .default_value = "0"});
  EXPECT_EQ(def.parse({{"n", "9223372036854775807"}}).get_int("n"), INT64_MAX);
  EXPECT_EQ(def.parse({{"n", "-9223372036854775808"}}).get_int("n"), INT64_MIN);
  for (const char* bad : {"9223372036854775808", "1e3", "12abc", "", "+", "+-1", "0x10", "1.0"}) {
    EXPECT_EQ(parse_error(def, {{"n", bad}}),
              "invalid value '" + std::string(bad) + "' for config 'n': expected an integer")
        << bad;
  }
}

// ---- error messages name the key and what it accepts --------------------------------------------

TEST(config, bad_values_name_key_and_accepted_values) {
  const auto def = broker_like_def();
  auto with = [](std::string key, std::string value) {
    return properties{{"log.dirs", "/d"}, {std::move(key), std::move(value)}};
  };
  EXPECT_EQ(parse_error(def, with("num.partitions", "abc")),
            "invalid value 'abc' for config 'num.partitions': expected an integer in [1, 10000]");
  EXPECT_EQ(parse_error(def, with("num.partitions", "0")),
            "invalid value '0' for config 'num.partitions': expected an integer in [1, 10000]");
  EXPECT_EQ(parse_error(def, with("num.partitions", "10001")),
            "invalid value '10001' for config 'num.partitions': expected an integer in [1, "
            "10000]");
  EXPECT_EQ(parse_error(def, with("retention.ms", "-2")),
            "invalid value '-2' for config 'retention.ms': expected an integer >= -1");
  EXPECT_EQ(parse_error(def, with("cleanup.policy", "Compact")),
            "invalid value 'Compact' for config 'cleanup.policy': expected one of [delete, "
            "compact]");
  EXPECT_EQ(parse_error(def, with("auto.create.topics.enable", "yes")),
            "invalid value 'yes' for config 'auto.create.topics.enable': expected true or false");
  EXPECT_EQ(parse_error(def, with("min.cleanable.ratio", "1.5")),
            "invalid value '1.5' for config 'min.cleanable.ratio': expected a number in [0, 1]");
  EXPECT_EQ(parse_error(def, with("min.cleanable.ratio", "nan")),
            "invalid value 'nan' for config 'min.cleanable.ratio': expected a number in [0, 1]");
  EXPECT_EQ(parse_error(def, {{"log.dirs", " , "}}),
            "invalid value ',' for config 'log.dirs': expected a non-empty list of directories");
}

TEST(config, sensitive_values_are_not_echoed) {
  const auto def = broker_like_def();
  const std::string message =
      parse_error(def, {{"log.dirs", "/d"}, {"ssl.key.password", "hunter2"}});
  EXPECT_EQ(message,
            "invalid value for config 'ssl.key.password': expected a password of at least 8 "
            "characters");
  EXPECT_EQ(message.find("hunter2"), std::string::npos);
}

TEST(config, unknown_keys_are_rejected_with_a_suggestion_for_typos) {
  const auto def = broker_like_def();
  EXPECT_EQ(parse_error(def, {{"log.dirs", "/d"}, {"nm.partitions", "3"}}),
            "unknown config 'nm.partitions' (did you mean 'num.partitions'?)");
  EXPECT_EQ(parse_error(def, {{"log.dirs", "/d"}, {"completely.different", "3"}}),
            "unknown config 'completely.different'");
  // A bare prefix is not a pass-through key.
  EXPECT_EQ(parse_error(def, {{"log.dirs", "/d"}, {"consumer.", "3"}}),
            "unknown config 'consumer.'");
}

TEST(config, missing_required_key) {
  const auto def = broker_like_def();
  EXPECT_EQ(parse_error(def, {}), "missing required config 'log.dirs'");
}

TEST(config, every_problem_is_reported_at_once) {
  const auto def = broker_like_def();
  try {
    (void)def.parse({{"num.partitions", "x"}, {"bogus", "1"}});
    FAIL() << "expected config_exception";
  } catch (const config_exception& e) {
    ASSERT_EQ(e.problems().size(), 3U);
    EXPECT_EQ(e.problems()[0], "unknown config 'bogus'");
    EXPECT_EQ(e.problems()[1],
              "invalid value 'x' for config 'num.partitions': expected an integer in [1, 10000]");
    EXPECT_EQ(e.problems()[2], "missing required config 'log.dirs'");
    EXPECT_EQ(std::string(e.what()), e.problems()[0] + "; " + e.problems()[1] + "; " +
                                         e.problems()[2]);
  }
}

TEST(config, validate_checks_one_key_without_throwing) {
  const auto def = broker_like_def();
  EXPECT_EQ(def.validate("num.partitions", "5"), std::nullopt);
  EXPECT_EQ(def.validate("num.partitions", "-5"),
            "invalid value '-5' for config 'num.partitions': expected an integer in [1, 10000]");
  EXPECT_EQ(def.validate("consumer.anything", "x"), std::nullopt);
  EXPECT_EQ(def.validate("cleanup.polic", "delete"),
            "unknown config 'cleanup.polic' (did you mean 'cleanup.policy'?)");
}

// ---- prefixes, set/reset, persistence, entries --------------------------------------------------

TEST(config, prefixed_keys_pass_through_verbatim) {
  const auto def = broker_like_def();
  const config c = def.parse({{"log.dirs", "/d"},
                              {"consumer.fetch.min.bytes", " 1 "},
                              {"consumer.group.instance.id", "w-1"},
                              {"producer.linger.ms", "5"}});
  EXPECT_EQ(c.with_prefix("consumer."),
            (properties{{"fetch.min.bytes", "1"}, {"group.instance.id", "w-1"}}));
  EXPECT_EQ(c.with_prefix("producer."), (properties{{"linger.ms", "5"}}));
}

TEST(config, set_revalidates_and_leaves_config_unchanged_on_error) {
  const auto def = broker_like_def();
  config c = def.parse({{"log.dirs", "/d"}});
  EXPECT_EQ(c.set("num.partitions", "8"), std::nullopt);
  EXPECT_EQ(c.get_int("num.partitions"), 8);
  EXPECT_FALSE(c.is_default("num.partitions"));

  EXPECT_EQ(c.set("num.partitions", "0"),
            "invalid value '0' for config 'num.partitions': expected an integer in [1, 10000]");
  EXPECT_EQ(c.get_int("num.partitions"), 8);
  EXPECT_EQ(c.set("no.such.key", "1"), "unknown config 'no.such.key'");

  EXPECT_EQ(c.set("producer.acks", "all"), std::nullopt);
  EXPECT_EQ(c.with_prefix("producer."), (properties{{"acks", "all"}}));
}

TEST(config, reset_returns_to_default) {
  const auto def = broker_like_def();
  config c = def.parse({{"log.dirs", "/d"}, {"cleanup.policy", "compact"}, {"producer.acks", "1"}});
  EXPECT_EQ(c.reset("cleanup.policy"), std::nullopt);
  EXPECT_EQ(c.get_string("cleanup.policy"), "delete");
  EXPECT_TRUE(c.is_default("cleanup.policy"));
  EXPECT_EQ(c.reset("producer.acks"), std::nullopt);
  EXPECT_TRUE(c.with_prefix("producer.").empty());
  EXPECT_EQ(c.reset("log.dirs"), "config 'log.dirs' is required and has no default to reset to");
  EXPECT_EQ(c.get_list("log.dirs"), (std::vector<std::string>{"/d"}));
  EXPECT_EQ(c.reset("nope"), "unknown config 'nope'");
}

TEST(config, to_properties_round_trips) {
  const auto def = broker_like_def();
  const config c = def.parse({{"log.dirs", " /a, /b "},
                              {"num.partitions", "+3"},
                              {"min.cleanable.ratio", "0.125"},
                              {"auto.create.topics.enable", "False"},
                              {"consumer.x", "y"}});
  const properties persisted = c.to_properties();
  EXPECT_EQ(persisted, (properties{{"auto.create.topics.enable", "false"},
                                   {"consumer.x", "y"},
                                   {"log.dirs", "/a,/b"},
                                   {"min.cleanable.ratio", "0.125"},
                                   {"num.partitions", "3"}}));
  const config again = def.parse(parse_properties(format_properties(persisted)));
  EXPECT_EQ(again.to_properties(), persisted);
  EXPECT_EQ(again.get_int("num.partitions"), 3);
  EXPECT_TRUE(again.is_default("cleanup.policy"));
}

TEST(config, entries_list_every_key_sorted_with_default_flags) {
  const auto def = broker_like_def();
  const config c = def.parse(
      {{"log.dirs", "/d"}, {"ssl.key.password", "correct horse"}, {"consumer.a", "b"}});
  const auto entries = c.entries();
  ASSERT_EQ(entries.size(), def.keys().size() + 1);
  EXPECT_TRUE(std::is_sorted(entries.begin(), entries.end(),
                             [](const auto& a, const auto& b) { return a.name < b.name; }));
  auto find = [&](std::string_view name) {
    return *std::find_if(entries.begin(), entries.end(),
                         [&](const config_entry& e) { return e.name == name; });
  };
  EXPECT_EQ(find("num.partitions").value, "1");
  EXPECT_TRUE(find("num.partitions").is_default);
  EXPECT_EQ(find("num.partitions").key, def.find("num.partitions"));
  EXPECT_EQ(find("log.dirs").value, "/d");
  EXPECT_FALSE(find("log.dirs").is_default);
  EXPECT_TRUE(find("ssl.key.password").sensitive);
  EXPECT_EQ(find("ssl.key.password").value, "");
  EXPECT_EQ(find("consumer.a").value, "b");
  EXPECT_EQ(find("consumer.a").key, nullptr);
  EXPECT_EQ(find("min.cleanable.ratio").value, "0.5");
}

TEST(config, def_is_copied_on_write_so_configs_keep_their_definition) {
  config_def def;
  def.define({.name = "a", .type = config_type::integer, .default_value = "1"});
  const config c = def.parse({});
  def.define({.name = "b", .type = config_type::integer, .default_value = "2"});
  EXPECT_EQ(c.def().keys().size(), 1U);
  EXPECT_EQ(def.keys().size(), 2U);
  EXPECT_EQ(def.parse({}).get_int("b"), 2);
  EXPECT_EQ(c.entries().size(), 1U);
}

TEST(config, def_lookup) {
  const auto def = broker_like_def();
  ASSERT_NE(def.find("cleanup.policy"), nullptr);
  EXPECT_EQ(def.find("cleanup.policy")->type, config_type::enumeration);
  EXPECT_EQ(def.find("cleanup.policy")->doc, "Retention policy.");
  EXPECT_EQ(def.find("missing"), nullptr);
  EXPECT_EQ(def.keys().front().name, "num.partitions");
  EXPECT_EQ(def.prefixes().size(), 2U);
  EXPECT_EQ(to_string(config_type::floating), "floating");
}

// ---- programming errors -------------------------------------------------------------------------

TEST(config_death, getter_of_undefined_key_asserts) {
  const auto def = broker_like_def();
  const config c = def.parse({{"log.dirs", "/d"}});
  EXPECT_DEATH((void)c.get_int("num.partition"), "config key not defined: 'num.partition'");
  EXPECT_DEATH((void)c.get_bool("num.partitions"),
               "config key 'num.partitions' is of type integer, read as boolean");
  EXPECT_DEATH((void)c.with_prefix("consumer"), "undeclared prefix 'consumer'");
}

TEST(config_death, bad_definitions_assert) {
  EXPECT_DEATH(
      {
        config_def def;
        def.define({.name = "a", .type = config_type::integer, .default_value = "x"});
      },
      "config key 'a': invalid default 'x'");
  EXPECT_DEATH(
      {
        config_def def;
        def.define({.name = "a"}).define({.name = "a"});
      },
      "config key 'a' defined twice");
  EXPECT_DEATH(
      {
        config_def def;
        def.define({.name = "e", .type = config_type::enumeration, .default_value = "x"});
      },
      "accepted values are for");
  EXPECT_DEATH(
      {
        config_def def;
        def.define({.name = "s", .type = config_type::string, .int_bounds = int_range{}});
      },
      "int_bounds on a non-integer key");
}

// ---- .properties --------------------------------------------------------------------------------

TEST(properties, basic_syntax) {
  const auto p = parse_properties(
      "# a comment\n"
      "! another comment\n"
      "\n"
      "   \t\n"
      "a=1\n"
      "b: 2\n"
      "c 3\n"
      "  d  =  spaced value  \n"
      "e=\n"
      "f\n"
      "g==x\n"
      "h=a=b:c\n"
      "a=last wins\n");
  EXPECT_EQ(p, (properties{{"a", "last wins"},
                           {"b", "2"},
                           {"c", "3"},
                           {"d", "spaced value"},
                           {"e", ""},
                           {"f", ""},
                           {"g", "=x"},
                           {"h", "a=b:c"}}));
}

TEST(properties, line_endings_and_continuations) {
  const auto p = parse_properties(
      "list = a, \\\n"
      "       b, \\\n"
      "       c\r\n"
      "crlf=yes\r\n"
      "cr=also\r"
      "even=ends with backslash\\\\\n"
      "next=kept\n"
      "# comment \\\n"
      "after.comment=1\n"
      "eof=dangling\\");
  EXPECT_EQ(p.at("list"), "a, b, c");
  EXPECT_EQ(p.at("crlf"), "yes");
  EXPECT_EQ(p.at("cr"), "also");
  EXPECT_EQ(p.at("even"), "ends with backslash\\");
  EXPECT_EQ(p.at("next"), "kept");
  EXPECT_EQ(p.at("after.comment"), "1");
  EXPECT_EQ(p.at("eof"), "dangling");
  EXPECT_EQ(p.size(), 7U);
}

TEST(properties, escapes) {
  const auto p = parse_properties(
      "key\\=with\\:seps\\ and\\ spaces = v\n"
      "tabs=a\\tb\\nc\n"
      "unicode=caf\\u00e9 \\u20AC \\uD83D\\uDE00\n"
      "kept.trailing=x\\ \n"
      "\\#not.comment=1\n"
      "other=\\q\n");
  EXPECT_EQ(p.at("key=with:seps and spaces"), "v");
  EXPECT_EQ(p.at("tabs"), "a\tb\nc");
  EXPECT_EQ(p.at("unicode"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(p.at("kept.trailing"), "x ");
  EXPECT_EQ(p.at("#not.comment"), "1");
  EXPECT_EQ(p.at("other"), "q");
}

TEST(properties, malformed_unicode_escape_names_the_line) {
  for (const char* bad : {"a=1\nb=\\u12\n", "a=1\nb=\\uZZZZ\n", "a=1\nb=\\uD83D alone\n",
                          "a=1\nb=\\uDE00\n"}) {
    try {
      (void)parse_properties(bad);
      ADD_FAILURE() << "expected an exception for " << bad;
    } catch (const config_exception& e) {
      EXPECT_EQ(std::string(e.what()), "line 2: malformed \\uXXXX escape") << bad;
    }
  }
}

TEST(properties, format_then_parse_is_identity) {
  const properties tricky{{"plain", "value"},
                          {"", "empty key"},
                          {"empty.value", ""},
                          {"k=e:y", "v=a:l"},
                          {"#hash", "!bang"},
                          {"spaces in key", "  leading and trailing  "},
                          {"escapes", "tab\tnewline\ncr\rff\fbackslash\\"},
                          {"trailing.backslash", "C:\\dir\\"},
                          {"utf8", "caf\xc3\xa9"}};
  EXPECT_EQ(parse_properties(format_properties(tricky)), tricky);

  std::mt19937 rng(42);
  const std::string alphabet = "ab =:#!\\\t\n\r\f x";
  for (int round = 0; round < 500; ++round) {
    properties random;
    for (int i = 0; i < 4; ++i) {
      std::string k, v;
      for (int j = 0; j < static_cast<int>(rng() % 8); ++j) k += alphabet[rng() % alphabet.size()];
      for (int j = 0; j < static_cast<int>(rng() % 8); ++j) v += alphabet[rng() % alphabet.size()];
      random[k] = v;
    }
    ASSERT_EQ(parse_properties(format_properties(random)), random) << format_properties(random);
  }
}

TEST(properties, load_file_and_errors_name_the_path) {
  const auto dir = std::filesystem::temp_directory_path();
  const auto path = dir / ("sluice_config_test_" + std::to_string(::getpid()) + ".properties");
  {
    std::ofstream out(path);
    out << "num.partitions=4\nlog.dirs=/x\n";
  }
  const auto p = load_properties_file(path);
  EXPECT_EQ(p, (properties{{"log.dirs", "/x"}, {"num.partitions", "4"}}));
  EXPECT_EQ(broker_like_def().parse(p).get_int("num.partitions"), 4);

  {
    std::ofstream out(path);
    out << "ok=1\nbad=\\u00\n";
  }
  try {
    (void)load_properties_file(path);
    ADD_FAILURE() << "expected an exception";
  } catch (const config_exception& e) {
    EXPECT_EQ(std::string(e.what()), path.string() + ": line 2: malformed \\uXXXX escape");
  }
  std::filesystem::remove(path);

  try {
    (void)load_properties_file(path);
    ADD_FAILURE() << "expected an exception";
  } catch (const config_exception& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot read config file '" + path.string() + "': No such file or directory");
  }
}

TEST(properties, overrides) {
  EXPECT_EQ(parse_override("a=b=c"), (std::pair<std::string, std::string>{"a", "b=c"}));
  EXPECT_EQ(parse_override(" k = v "), (std::pair<std::string, std::string>{"k", "v"}));
  EXPECT_EQ(parse_override("k="), (std::pair<std::string, std::string>{"k", ""}));
  for (const char* bad : {"novalue", "=v", " = v", ""}) {
    try {
      (void)parse_override(bad);
      ADD_FAILURE() << "expected an exception for '" << bad << "'";
    } catch (const config_exception& e) {
      EXPECT_EQ(std::string(e.what()),
                "invalid override '" + std::string(bad) + "': expected key=value");
    }
  }
  const std::vector<std::string> sets{"num.partitions=6", "log.dirs=/o", "num.partitions=7"};
  const auto merged = with_overrides({{"log.dirs", "/base"}, {"retention.ms", "1"}}, sets);
  EXPECT_EQ(merged, (properties{{"log.dirs", "/o"}, {"num.partitions", "7"},
                                {"retention.ms", "1"}}));
}

}  // namespace
}  // namespace sluice::core
