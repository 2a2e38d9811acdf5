#include "cli/code_zip.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "cli/cli.h"

namespace durafn::cli {

namespace fs = std::filesystem;

namespace {

// 1980-01-01, the earliest time a zip entry can carry.
constexpr time_t kZipEpoch = 315532800;
// Lambda's largest unzipped package is 250 MB; a bigger folder is a mistake.
constexpr std::uintmax_t kMaxFolderBytes = 250ull * 1024 * 1024;

}  // namespace

std::string ZipFolder(const std::string& dir) {
  std::vector<fs::path> files;
  std::uintmax_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    files.push_back(it->path());
    total += it->file_size();
  }
  if (ec) throw CliError("cannot read " + dir + ": " + ec.message());
  if (total > kMaxFolderBytes) throw CliError(dir + " holds more than 250 MB of code");
  std::sort(files.begin(), files.end());

  std::string zip_path = (fs::temp_directory_path() / "durafn-code-XXXXXX").string();
  int fd = ::mkstemp(zip_path.data());
  if (fd < 0) throw CliError("cannot create a temporary file for the code zip");
  ::close(fd);
  int error = 0;
  zip_t* zip = zip_open(zip_path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  if (!zip) {
    fs::remove(zip_path, ec);
    throw CliError("cannot create the code zip (libzip error " + std::to_string(error) + ")");
  }
  auto fail = [&](const std::string& what) {
    std::string message = what + ": " + zip_strerror(zip);
    zip_discard(zip);
    fs::remove(zip_path, ec);
    throw CliError(message);
  };
  for (const auto& file : files) {
    std::string name = fs::relative(file, dir).generic_string();
    zip_source_t* src = zip_source_file(zip, file.c_str(), 0, -1);
    if (!src) fail("cannot read " + file.string());
    zip_int64_t index = zip_file_add(zip, name.c_str(), src, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(src);
      fail("cannot add " + name + " to the code zip");
    }
    struct stat st {};
    ::stat(file.c_str(), &st);
    zip_uint32_t mode = (st.st_mode & 0777) | S_IFREG;
    zip_file_set_external_attributes(zip, static_cast<zip_uint64_t>(index), 0, ZIP_OPSYS_UNIX,
                                     mode << 16);
    zip_file_set_mtime(zip, static_cast<zip_uint64_t>(index), kZipEpoch, 0);
  }
  if (zip_close(zip) != 0) fail("cannot write the code zip");
  std::string bytes;
  if (files.empty()) {
    // libzip writes nothing for an empty archive: the empty zip is its end record alone.
    bytes = std::string("PK\x05\x06", 4) + std::string(18, '\0');
  } else {
    std::ifstream in(zip_path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    bytes = ss.str();
  }
  fs::remove(zip_path, ec);
  return bytes;
}

std::string Base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace durafn::cli
