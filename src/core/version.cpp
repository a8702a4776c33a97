// src/core/version.cpp: the library version.
#include <athanor/version.h>

namespace athanor {

const char* version() { return "0.1.0"; }

}  // namespace athanor
