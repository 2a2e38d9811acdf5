// Function code on the server's disk: every package is copied into a content-addressed folder
// under the data dir and run from there, never from where the user left it. Folders are
// immutable once written, so a published version keeps its code after $LATEST changes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "protocol/result.h"

namespace durafn::hosting {

struct StoredCode {
  std::string sha256_base64;  // CodeSha256 as Lambda reports it
  int64_t size = 0;           // CodeSize: the zip's bytes, or the directory's file bytes
  std::string location;       // absolute path of the code folder
};

class CodeStore {
 public:
  // Limits of Lambda's deployment packages.
  static constexpr std::size_t kMaxUnzippedBytes = 250u * 1024 * 1024;
  static constexpr std::size_t kMaxEntries = 100'000;

  // `root`: the folder holding the code folders (created on first use).
  explicit CodeStore(std::filesystem::path root) : root_(std::move(root)) {}

  // Extracts a zip package. CodeSha256 is the digest of the zip bytes. InvalidArgument (with
  // Lambda's message) for an unreadable zip, an entry escaping its folder (`..`, absolute
  // path, symlink pointing out) or a package past the size limits. Executable bits are kept.
  Result<StoredCode> PutZip(std::string_view zip) const;

  // Copies an absolute directory of this machine. CodeSha256 is a digest over the sorted
  // relative paths, kinds, executable bits and contents. InvalidArgument if it is not an
  // absolute directory or holds a symlink pointing out of it.
  Result<StoredCode> PutDirectory(const std::filesystem::path& dir) const;

 private:
  // Moves the finished `staging` folder to its content address (or drops it when that
  // folder exists already).
  Result<StoredCode> Commit(const std::filesystem::path& staging, const std::string& digest,
                            int64_t size) const;
  std::filesystem::path NewStaging() const;

  std::filesystem::path root_;
};

// True iff `target`, a symlink found at relative path `link` (inside a folder), stays inside
// that folder. Exposed for tests.
bool SymlinkStaysInside(const std::filesystem::path& link, const std::filesystem::path& target);

}  // namespace durafn::hosting
