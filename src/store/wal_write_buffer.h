// A SQLite VFS that gathers a connection's WAL writes and hands them to the kernel in one
// pwrite when SQLite syncs the log.
//
// SQLite writes each WAL frame as two calls, its 24-byte header and then its page, so a
// commit of n pages costs 2n system calls before its fsync; on a virtual machine each call
// costs several microseconds, and they were a third of the writer thread's time. Buffered,
// the commit is one pwrite and one fdatasync.
//
// Why it is safe: with synchronous=FULL, SQLite syncs the log at every commit before it
// publishes the new frames in the WAL index, the only way other connections learn of them;
// the sync writes the buffer out first. Reads, truncation, size queries, file controls and
// closing also write it out first, so this connection never sees its own log stale. Only
// the main database's WAL file is buffered; everything else passes straight through. Use it
// only for connections with synchronous=FULL (without syncs at commit, others could miss
// frames).
#pragma once

namespace durafn::store {

// The VFS's name, registered (once, thread-safely) over the default VFS on first use.
const char* WalWriteBufferVfs();

}  // namespace durafn::store
