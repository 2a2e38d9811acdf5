// Where the language runtimes that workers are started with live on this machine.
#pragma once

#include <string>

namespace durafn::hosting {

struct RuntimeFiles {
  std::string node;          // absolute path of the node executable; empty: not installed
  std::string runtimes_dir;  // the folder holding nodejs/bootstrap.mjs; empty: not found
};

// Finds them. node: $DURAFN_NODE, else `node` in PATH. The runtimes folder: `runtimes_dir`
// when given, else $DURAFN_RUNTIMES_DIR, else next to the running executable:
// <exe dir>/runtimes (the build tree, where the build copies it) or
// <exe dir>/../share/durafn/runtimes (an installed layout: PREFIX/bin/durafn).
RuntimeFiles LocateRuntimeFiles(const std::string& runtimes_dir = "");

}  // namespace durafn::hosting
