// Packaging test functions as a user would: a folder with a `bootstrap`, or a zip of it.
#pragma once

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <openssl/evp.h>
#include <sys/stat.h>
#include <zip.h>

namespace durafn::testing {

// The built test function `name` (fn_<name>).
inline std::filesystem::path TestFunction(const std::string& name) {
  return std::filesystem::path(DURAFN_FUNCTIONS_DIR) / ("fn_" + name);
}

// A fresh folder under `root` holding `bootstrap`, a copy of test function `name`.
inline std::filesystem::path FunctionFolder(const std::filesystem::path& root,
                                            const std::string& name) {
  auto dir = root / ("src-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(TestFunction(name), dir / "bootstrap");
  std::filesystem::permissions(dir / "bootstrap", std::filesystem::perms(0755));
  return dir;
}

inline std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct ZipEntry {
  std::string name;
  std::string data;
  mode_t mode = S_IFREG | 0644;  // S_IFLNK: `data` is the link's target
};

// The bytes of a zip holding `entries`, with Unix modes (as `zip -y` writes them).
inline std::string MakeZip(const std::filesystem::path& scratch,
                           const std::vector<ZipEntry>& entries) {
  int err = 0;
  zip_t* z = zip_open(scratch.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (!z) throw std::runtime_error("zip_open");
  for (const auto& e : entries) {
    zip_source_t* src = zip_source_buffer(z, e.data.data(), e.data.size(), 0);
    zip_int64_t i = zip_file_add(z, e.name.c_str(), src, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8);
    if (i < 0) throw std::runtime_error("zip_file_add");
    zip_file_set_external_attributes(z, static_cast<zip_uint64_t>(i), 0, ZIP_OPSYS_UNIX,
                                     static_cast<zip_uint32_t>(e.mode) << 16);
  }
  if (zip_close(z) != 0) throw std::runtime_error("zip_close");
  std::string bytes = ReadAll(scratch);
  std::filesystem::remove(scratch);
  return bytes;
}

// A zip whose `bootstrap` is test function `name`.
inline std::string FunctionZip(const std::filesystem::path& scratch, const std::string& name) {
  return MakeZip(scratch, {{"bootstrap", ReadAll(TestFunction(name)), S_IFREG | 0755}});
}

inline std::string Base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace durafn::testing
