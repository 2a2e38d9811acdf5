#include "store/wal_write_buffer.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <mutex>
#include <string>

#include <sqlite3.h>

namespace durafn::store {
namespace {

// The largest write handed to the real file: the unix VFS keeps only the low 17 bits of a
// write's length (SQLite itself never writes more than a page at once).
constexpr std::size_t kMaxWrite = 64 << 10;
// A longer run of frames (a commit of hundreds of pages) goes out once it reaches this size.
constexpr std::size_t kMaxPending = 1 << 20;

// Our file object; the underlying VFS's file object follows it in the same allocation.
struct File {
  sqlite3_file base;  // base.pMethods: kBuffered or kPassThrough
  sqlite3_file* real;
  std::string* pending;  // buffered bytes (WAL files only), written at pending_offset
  sqlite3_int64 pending_offset;
};
static_assert(sizeof(File) % 8 == 0, "the real file object that follows must stay aligned");

sqlite3_vfs* Real(sqlite3_vfs* vfs) {
  return static_cast<sqlite3_vfs*>(vfs->pAppData);
}
File* Of(sqlite3_file* f) {
  return reinterpret_cast<File*>(f);
}
sqlite3_file* RealOf(sqlite3_file* f) {
  return Of(f)->real;
}

int Flush(File* f) {
  if (f->pending == nullptr || f->pending->empty()) return SQLITE_OK;
  const std::string& p = *f->pending;
  int rc = SQLITE_OK;
  for (std::size_t done = 0; done < p.size() && rc == SQLITE_OK; done += kMaxWrite) {
    const std::size_t n = std::min(kMaxWrite, p.size() - done);
    rc = f->real->pMethods->xWrite(f->real, p.data() + done, static_cast<int>(n),
                                   f->pending_offset + static_cast<sqlite3_int64>(done));
  }
  f->pending->clear();
  return rc;
}

// ---- file methods ----

int Close(sqlite3_file* f) {
  int flushed = Flush(Of(f));
  int rc = RealOf(f)->pMethods->xClose(RealOf(f));
  delete Of(f)->pending;
  Of(f)->pending = nullptr;
  return flushed != SQLITE_OK ? flushed : rc;
}
int Read(sqlite3_file* f, void* buf, int amt, sqlite3_int64 off) {
  if (int rc = Flush(Of(f)); rc != SQLITE_OK) return rc;
  return RealOf(f)->pMethods->xRead(RealOf(f), buf, amt, off);
}
int Write(sqlite3_file* f, const void* buf, int amt, sqlite3_int64 off) {
  File* file = Of(f);
  if (file->pending == nullptr) return RealOf(f)->pMethods->xWrite(RealOf(f), buf, amt, off);
  std::string& p = *file->pending;
  const auto size = static_cast<sqlite3_int64>(p.size());
  const char* bytes = static_cast<const char*>(buf);
  if (!p.empty() && off >= file->pending_offset && off + amt <= file->pending_offset + size) {
    // A frame of this transaction written again.
    std::memcpy(p.data() + (off - file->pending_offset), bytes, static_cast<std::size_t>(amt));
    return SQLITE_OK;
  }
  if (!p.empty() && off != file->pending_offset + size) {
    if (int rc = Flush(file); rc != SQLITE_OK) return rc;
  }
  if (p.empty()) file->pending_offset = off;
  p.append(bytes, static_cast<std::size_t>(amt));
  return p.size() >= kMaxPending ? Flush(file) : SQLITE_OK;
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (int rc = Flush(Of(f)); rc != SQLITE_OK) return rc;
  return RealOf(f)->pMethods->xTruncate(RealOf(f), size);
}
int Sync(sqlite3_file* f, int flags) {
  if (int rc = Flush(Of(f)); rc != SQLITE_OK) return rc;
  return RealOf(f)->pMethods->xSync(RealOf(f), flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  if (int rc = Flush(Of(f)); rc != SQLITE_OK) return rc;
  return RealOf(f)->pMethods->xFileSize(RealOf(f), size);
}
int Lock(sqlite3_file* f, int level) {
  return RealOf(f)->pMethods->xLock(RealOf(f), level);
}
int Unlock(sqlite3_file* f, int level) {
  return RealOf(f)->pMethods->xUnlock(RealOf(f), level);
}
int CheckReservedLock(sqlite3_file* f, int* out) {
  return RealOf(f)->pMethods->xCheckReservedLock(RealOf(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  if (int rc = Flush(Of(f)); rc != SQLITE_OK) return rc;
  return RealOf(f)->pMethods->xFileControl(RealOf(f), op, arg);
}
int SectorSize(sqlite3_file* f) {
  return RealOf(f)->pMethods->xSectorSize(RealOf(f));
}
int DeviceCharacteristics(sqlite3_file* f) {
  return RealOf(f)->pMethods->xDeviceCharacteristics(RealOf(f));
}
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return RealOf(f)->pMethods->xShmMap(RealOf(f), region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return RealOf(f)->pMethods->xShmLock(RealOf(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) {
  RealOf(f)->pMethods->xShmBarrier(RealOf(f));
}
int ShmUnmap(sqlite3_file* f, int delete_flag) {
  return RealOf(f)->pMethods->xShmUnmap(RealOf(f), delete_flag);
}
int Fetch(sqlite3_file* f, sqlite3_int64 off, int amt, void** out) {
  return RealOf(f)->pMethods->xFetch(RealOf(f), off, amt, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return RealOf(f)->pMethods->xUnfetch(RealOf(f), off, p);
}

constexpr sqlite3_io_methods kMethods = {
    3,
    Close,
    Read,
    Write,
    Truncate,
    Sync,
    FileSize,
    Lock,
    Unlock,
    CheckReservedLock,
    FileControl,
    SectorSize,
    DeviceCharacteristics,
    ShmMap,
    ShmLock,
    ShmBarrier,
    ShmUnmap,
    Fetch,
    Unfetch,
};

// ---- VFS methods ----

int Open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  File* file = Of(f);
  file->base.pMethods = nullptr;
  file->real = reinterpret_cast<sqlite3_file*>(file + 1);
  file->pending = nullptr;
  file->pending_offset = 0;
  int rc = Real(vfs)->xOpen(Real(vfs), name, file->real, flags, out_flags);
  if (file->real->pMethods == nullptr) return rc;  // nothing to close
  // The real file must offer what SQLite will call through us (the unix VFS does).
  assert(file->real->pMethods->iVersion >= 3);
  if ((flags & SQLITE_OPEN_WAL) != 0) file->pending = new std::string();
  file->base.pMethods = &kMethods;
  return rc;
}
int Delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return Real(vfs)->xDelete(Real(vfs), name, sync_dir);
}
int Access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return Real(vfs)->xAccess(Real(vfs), name, flags, out);
}
int FullPathname(sqlite3_vfs* vfs, const char* name, int n, char* out) {
  return Real(vfs)->xFullPathname(Real(vfs), name, n, out);
}
void* DlOpen(sqlite3_vfs* vfs, const char* name) {
  return Real(vfs)->xDlOpen(Real(vfs), name);
}
void DlError(sqlite3_vfs* vfs, int n, char* out) {
  Real(vfs)->xDlError(Real(vfs), n, out);
}
void (*DlSym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  return Real(vfs)->xDlSym(Real(vfs), handle, symbol);
}
void DlClose(sqlite3_vfs* vfs, void* handle) {
  Real(vfs)->xDlClose(Real(vfs), handle);
}
int Randomness(sqlite3_vfs* vfs, int n, char* out) {
  return Real(vfs)->xRandomness(Real(vfs), n, out);
}
int Sleep(sqlite3_vfs* vfs, int micros) {
  return Real(vfs)->xSleep(Real(vfs), micros);
}
int CurrentTime(sqlite3_vfs* vfs, double* out) {
  return Real(vfs)->xCurrentTime(Real(vfs), out);
}
int GetLastError(sqlite3_vfs* vfs, int n, char* out) {
  return Real(vfs)->xGetLastError(Real(vfs), n, out);
}
int CurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return Real(vfs)->xCurrentTimeInt64(Real(vfs), out);
}

constexpr char kName[] = "durafn-wal-write-buffer";

}  // namespace

const char* WalWriteBufferVfs() {
  static std::once_flag once;
  static sqlite3_vfs vfs;
  std::call_once(once, [] {
    sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
    assert(real != nullptr && real->iVersion >= 2);
    std::memset(&vfs, 0, sizeof vfs);
    vfs.iVersion = 2;
    vfs.szOsFile = static_cast<int>(sizeof(File)) + real->szOsFile;
    vfs.mxPathname = real->mxPathname;
    vfs.zName = kName;
    vfs.pAppData = real;
    vfs.xOpen = Open;
    vfs.xDelete = Delete;
    vfs.xAccess = Access;
    vfs.xFullPathname = FullPathname;
    vfs.xDlOpen = DlOpen;
    vfs.xDlError = DlError;
    vfs.xDlSym = DlSym;
    vfs.xDlClose = DlClose;
    vfs.xRandomness = Randomness;
    vfs.xSleep = Sleep;
    vfs.xCurrentTime = CurrentTime;
    vfs.xGetLastError = GetLastError;
    vfs.xCurrentTimeInt64 = CurrentTimeInt64;
    [[maybe_unused]] int rc = sqlite3_vfs_register(&vfs, /*makeDflt=*/0);
    assert(rc == SQLITE_OK);
  });
  return kName;
}

}  // namespace durafn::store
