// src/config/overrides.h: `--set key=value` overrides, applied to the parsed run file before it is
// read, so that an overridden value is validated as if the file held it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <toml++/toml.h>

namespace athanor::config::detail {

/// Applies one "key=value" ("model.layers[2].units=64" or "model.layers.2.units=64"; the value read
/// as TOML, else as a string) to `root`; returns the key as the readers spell it
/// ("model.layers[2].units"). Throws naming the override when the key's path cannot exist.
std::string apply_override(toml::table& root, const std::string& text);

/// "12" -> 12; anything but decimal digits -> nullopt.
std::optional<size_t> as_index(const std::string& s);

}  // namespace athanor::config::detail
