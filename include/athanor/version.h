// include/athanor/version.h: the library version.
#pragma once

namespace athanor {

/// "0.1.0".
const char* version();

}  // namespace athanor
