#include "hosting/code_store.h"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <memory>
#include <random>
#include <vector>

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

namespace durafn::hosting {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kUnzipError =
    "Could not unzip uploaded file. Please check your file, then try to upload again.";

std::string Hex(const unsigned char* d, unsigned int n) {
  static const char* k = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out += k[d[i] >> 4];
    out += k[d[i] & 15];
  }
  return out;
}

std::string Base64(const unsigned char* d, unsigned int n) {
  std::string out(4 * ((n + 2) / 3), '\0');
  int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), d, static_cast<int>(n));
  out.resize(static_cast<std::size_t>(len));
  return out;
}

// An incremental SHA-256.
class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
  }
  void Update(std::string_view s) { EVP_DigestUpdate(ctx_.get(), s.data(), s.size()); }
  // Finishes; `hex` names the folder, the base64 form is CodeSha256.
  void Final(std::string* hex, std::string* base64) {
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_.get(), d, &n);
    *hex = Hex(d, n);
    *base64 = Base64(d, n);
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

// A relative entry name that stays inside its folder: no absolute path, no `..`.
bool SafeRelative(const fs::path& p) {
  if (p.empty() || p.is_absolute() || p.has_root_name() || p.has_root_directory()) return false;
  for (const auto& part : p) {
    if (part == "..") return false;
  }
  return true;
}

Status WriteFile(const fs::path& path, std::string_view data, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Status::Unavailable("cannot write " + path.string());
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n <= 0) {
      ::close(fd);
      return Status::Unavailable("cannot write " + path.string());
    }
    off += static_cast<std::size_t>(n);
  }
  ::fchmod(fd, mode);  // the umask must not drop executable bits
  ::close(fd);
  return Status::Ok();
}

// The file's bytes in one read (folders of Node.js functions hold thousands of files).
bool ReadWhole(const fs::path& path, std::string* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return false;
  }
  out->resize(static_cast<std::size_t>(st.st_size));
  std::size_t off = 0;
  while (off < out->size()) {
    ssize_t n = ::read(fd, out->data() + off, out->size() - off);
    if (n < 0) {
      ::close(fd);
      return false;
    }
    if (n == 0) break;  // it shrank while being read
    off += static_cast<std::size_t>(n);
  }
  out->resize(off);
  ::close(fd);
  return true;
}

}  // namespace

bool SymlinkStaysInside(const fs::path& link, const fs::path& target) {
  if (target.empty() || target.is_absolute()) return false;
  // Resolve lexically from the link's folder; depth below the root must never go negative.
  int depth = 0;
  for (const auto& part : link.parent_path()) {
    if (part == "..") return false;
    if (part != "." && !part.empty()) ++depth;
  }
  for (const auto& part : target) {
    if (part == "..") {
      if (--depth < 0) return false;
    } else if (part != "." && !part.empty()) {
      ++depth;
    }
  }
  return true;
}

fs::path CodeStore::NewStaging() const {
  static std::atomic<uint64_t> counter{0};
  std::random_device rd;
  return root_ / (".staging-" + std::to_string(::getpid()) + "-" + std::to_string(rd()) + "-" +
                  std::to_string(counter++));
}

Result<StoredCode> CodeStore::Commit(const fs::path& staging, const std::string& digest,
                                     int64_t size) const {
  // digest is "hex|base64".
  auto bar = digest.find('|');
  fs::path target = root_ / digest.substr(0, bar);
  std::error_code ec;
  if (fs::exists(target, ec)) {
    fs::remove_all(staging, ec);
  } else {
    fs::rename(staging, target, ec);
    if (ec) {
      // Another upload of the same content may have won the race.
      if (!fs::exists(target)) {
        fs::remove_all(staging, ec);
        return Status::Unavailable("cannot store code: " + ec.message());
      }
      fs::remove_all(staging, ec);
    }
  }
  return StoredCode{digest.substr(bar + 1), size, target.string()};
}

Result<StoredCode> CodeStore::PutZip(std::string_view bytes) const {
  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec) return Status::Unavailable("cannot create " + root_.string());
  zip_error_t zerr;
  zip_error_init(&zerr);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &zerr);
  if (!src) return Status::InvalidArgument(std::string(kUnzipError));
  zip_t* za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
  zip_error_fini(&zerr);
  if (!za) {
    zip_source_free(src);
    return Status::InvalidArgument(std::string(kUnzipError));
  }
  std::unique_ptr<zip_t, void (*)(zip_t*)> archive(za, [](zip_t* z) { zip_discard(z); });
  zip_int64_t count = zip_get_num_entries(za, 0);
  if (count < 0 || static_cast<std::size_t>(count) > kMaxEntries) {
    return Status::InvalidArgument("The zip file has too many entries");
  }
  fs::path staging = NewStaging();
  fs::create_directories(staging, ec);
  if (ec) return Status::Unavailable("cannot create " + staging.string());
  auto fail = [&](Status s) -> Result<StoredCode> {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    return s;
  };
  std::size_t total = 0;
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t st;
    if (zip_stat_index(za, static_cast<zip_uint64_t>(i), 0, &st) != 0 ||
        !(st.valid & ZIP_STAT_NAME)) {
      return fail(Status::InvalidArgument(std::string(kUnzipError)));
    }
    std::string name = st.name;
    bool is_dir = !name.empty() && name.back() == '/';
    fs::path rel = fs::path(name).lexically_normal();
    if (!SafeRelative(fs::path(name)) || !SafeRelative(rel) || rel == ".") {
      if (is_dir && (name == "./" || name == "/")) continue;
      return fail(Status::InvalidArgument("The zip file entry '" + name +
                                          "' points outside the function's folder"));
    }
    zip_uint8_t opsys = 0;
    zip_uint32_t attributes = 0;
    zip_file_get_external_attributes(za, static_cast<zip_uint64_t>(i), 0, &opsys, &attributes);
    mode_t mode = opsys == ZIP_OPSYS_UNIX ? static_cast<mode_t>(attributes >> 16) : 0;
    fs::path out = staging / rel;
    if (is_dir || S_ISDIR(mode)) {
      fs::create_directories(out, ec);
      continue;
    }
    total += st.size;
    if (total > kMaxUnzippedBytes) {
      return fail(Status::InvalidArgument("Unzipped size must be smaller than " +
                                          std::to_string(kMaxUnzippedBytes) + " bytes"));
    }
    std::string data(static_cast<std::size_t>(st.size), '\0');
    zip_file_t* zf = zip_fopen_index(za, static_cast<zip_uint64_t>(i), 0);
    if (!zf) return fail(Status::InvalidArgument(std::string(kUnzipError)));
    zip_int64_t got = data.empty() ? 0 : zip_fread(zf, data.data(), data.size());
    zip_fclose(zf);
    if (got != static_cast<zip_int64_t>(data.size())) {
      return fail(Status::InvalidArgument(std::string(kUnzipError)));
    }
    fs::create_directories(out.parent_path(), ec);
    if (S_ISLNK(mode)) {
      if (!SymlinkStaysInside(rel, fs::path(data))) {
        return fail(Status::InvalidArgument("The zip file entry '" + name +
                                            "' is a symlink pointing outside the function's "
                                            "folder"));
      }
      fs::create_symlink(fs::path(data), out, ec);
      if (ec) return fail(Status::InvalidArgument(std::string(kUnzipError)));
      continue;
    }
    mode_t perms = mode & 0777;
    if (perms == 0) perms = 0644;
    if (auto s = WriteFile(out, data, perms | 0400); !s.ok()) return fail(s);
  }
  Sha256 sha;
  sha.Update(bytes);
  std::string hex, b64;
  sha.Final(&hex, &b64);
  return Commit(staging, hex + "|" + b64, static_cast<int64_t>(bytes.size()));
}

Result<StoredCode> CodeStore::PutDirectory(const fs::path& dir) const {
  std::error_code ec;
  if (!dir.is_absolute() || !fs::is_directory(dir, ec)) {
    return Status::InvalidArgument("Code.DirectoryPath must be an absolute directory: " +
                                   dir.string());
  }
  fs::create_directories(root_, ec);
  if (ec) return Status::Unavailable("cannot create " + root_.string());
  std::vector<fs::path> entries;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    entries.push_back(it->path().lexically_relative(dir));
    if (entries.size() > kMaxEntries) {
      return Status::InvalidArgument("Code.DirectoryPath has too many entries");
    }
  }
  if (ec) return Status::InvalidArgument("cannot read " + dir.string() + ": " + ec.message());
  std::sort(entries.begin(), entries.end());
  // Two passes: the digest first, then the copy only when that content is not stored yet
  // (functions deployed from one folder, or a redeploy, share it). The copy recomputes the
  // digest from what it copied, so a folder changing in between is stored as copied.
  auto walk = [&](const fs::path* staging) -> Result<std::pair<std::string, int64_t>> {
    std::error_code ec;
    Sha256 sha;
    std::size_t total = 0;
    for (const auto& rel : entries) {
      fs::path from = dir / rel;
      fs::path to = staging ? *staging / rel : fs::path();
      auto status = fs::symlink_status(from, ec);
      std::string tag;
      if (fs::is_symlink(status)) {
        fs::path target = fs::read_symlink(from, ec);
        if (!SymlinkStaysInside(rel, target)) {
          return Status::InvalidArgument("Code.DirectoryPath entry '" + rel.string() +
                                         "' is a symlink pointing outside the folder");
        }
        if (staging) fs::create_symlink(target, to, ec);
        tag = "L" + target.string();
      } else if (fs::is_directory(status)) {
        if (staging) fs::create_directories(to, ec);
        tag = "D";
      } else if (fs::is_regular_file(status)) {
        std::string data;
        if (!ReadWhole(from, &data)) return Status::InvalidArgument("cannot read " + from.string());
        total += data.size();
        if (total > kMaxUnzippedBytes) {
          return Status::InvalidArgument("Code.DirectoryPath holds more than " +
                                         std::to_string(kMaxUnzippedBytes) + " bytes");
        }
        auto perms = static_cast<mode_t>(status.permissions()) & 0777;
        if (staging) {
          fs::create_directories(to.parent_path(), ec);
          if (auto s = WriteFile(to, data, perms | 0400); !s.ok()) return s;
        }
        Sha256 content;
        content.Update(data);
        std::string hex, b64;
        content.Final(&hex, &b64);
        tag = std::string((perms & 0111) ? "X" : "F") + hex;
      } else {
        continue;  // sockets, fifos and devices are not code
      }
      if (ec) return Status::Unavailable("cannot copy " + from.string() + ": " + ec.message());
      // Length-prefixed so that no two different trees give the same byte stream.
      std::string path = rel.generic_string();
      sha.Update(std::to_string(path.size()) + ":" + path + std::to_string(tag.size()) + ":" + tag);
    }
    std::string hex, b64;
    sha.Final(&hex, &b64);
    return std::make_pair(hex + "|" + b64, static_cast<int64_t>(total));
  };
  auto digest = walk(nullptr);
  if (!digest.ok()) return digest.status();
  const std::string& d = digest->first;
  if (fs::is_directory(root_ / d.substr(0, d.find('|')), ec)) {
    return StoredCode{d.substr(d.find('|') + 1), digest->second,
                      (root_ / d.substr(0, d.find('|'))).string()};
  }
  fs::path staging = NewStaging();
  fs::create_directories(staging, ec);
  auto copied = walk(&staging);
  if (!copied.ok()) {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    return copied.status();
  }
  return Commit(staging, copied->first, copied->second);
}

}  // namespace durafn::hosting
