// Acknowledged means durable, checked with real process deaths: a child process writes
// executions and reports each acknowledgement through a pipe, then dies without any clean
// shutdown; the parent reopens the data directory and must find every acknowledged write.
#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/sqlite_execution_store.h"
#include "store_test_util.h"

namespace durafn::store::testing {
namespace {

// The execution number `i` of these tests, built without gtest assertions (the child must
// not use them).
engine::StartedExecution Started(int i) {
  engine::StartExecutionParams p;
  p.name = "crash" + std::to_string(i);
  p.arn = ExecutionArn(p.name);
  p.function_arn = std::string(kFunction) + ":1";
  p.version = "1";
  p.input = "{\"i\":" + std::to_string(i) + "}";
  p.execution_timeout_seconds = 3600;
  auto started = engine::StartExecution(p, T(i));
  if (!started.ok()) _exit(90);
  return std::move(started).value();
}

// Child side: reports execution `i` acknowledged. A 4-byte write to a pipe is atomic.
void ReportAck(int fd, int i) {
  if (write(fd, &i, sizeof i) != sizeof i) _exit(91);
}

// Parent side: every number the child reported, until it closed the pipe (by dying).
std::vector<int> ReadAcks(int fd, pid_t child, std::size_t kill_after = 0) {
  std::vector<int> acks;
  int i = 0;
  while (read(fd, &i, sizeof i) == sizeof i) {
    acks.push_back(i);
    if (kill_after && acks.size() == kill_after) kill(child, SIGKILL);
  }
  close(fd);
  return acks;
}

// Every acknowledged execution is there, whole; every execution there is whole (its
// transaction committed entirely or not at all).
void ExpectDurable(const std::filesystem::path& dir, const std::vector<int>& acks, int submitted) {
  auto store = SqliteExecutionStore::Open(dir);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::set<int> acked(acks.begin(), acks.end());
  int present = 0;
  for (int i = 0; i < submitted; ++i) {
    auto expected = Started(i);
    auto loaded = (*store)->Load(expected.state.record.arn);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    if (acked.contains(i)) {
      ASSERT_TRUE(loaded->has_value()) << "acknowledged execution " << i << " was lost";
    }
    if (!loaded->has_value()) continue;
    ++present;
    EXPECT_EQ(**loaded, expected.state) << i;
    auto history = (*store)->History(expected.state.record.arn, {});
    ASSERT_TRUE(history.ok());
    EXPECT_EQ(history->events, expected.outcome.events) << i;
  }
  EXPECT_GE(present, static_cast<int>(acked.size()));
  auto timers = (*store)->TimersDue(protocol::Timestamp{0}, protocol::Timestamp{INT64_MAX}, 100000);
  ASSERT_TRUE(timers.ok());
  EXPECT_EQ(static_cast<int>(timers->size()), present) << "one execution timeout each";
}

TEST(StoreCrash, ExitRightAfterAnAcknowledgementLosesNothingAcknowledged) {
  constexpr int kSubmitted = 300;
  constexpr int kExitAfterAcks = 40;
  TempDir dir;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    auto store = SqliteExecutionStore::Open(dir.path());
    if (!store.ok()) _exit(92);
    std::atomic<int> acks{0};
    for (int i = 0; i < kSubmitted; ++i) {
      auto started = Started(i);
      // Done runs on the writer thread, one at a time: exactly kExitAfterAcks are reported.
      Status s =
          (*store)->Create(started.state, started.outcome, [&acks, fd = fds[1], i](Status st) {
            if (!st.ok()) _exit(93);
            ReportAck(fd, i);
            if (++acks == kExitAfterAcks)
              _exit(0);  // no destructor, no flush, no commit of the rest
          });
      if (!s.ok()) _exit(94);
    }
    std::this_thread::sleep_for(std::chrono::seconds(60));
    _exit(95);  // never acknowledged enough
  }
  close(fds[1]);
  std::vector<int> acks = ReadAcks(fds[0], pid);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  ASSERT_EQ(acks.size(), static_cast<std::size_t>(kExitAfterAcks));
  ExpectDurable(dir.path(), acks, kSubmitted);
}

TEST(StoreCrash, KillMidWriteLosesNothingAcknowledged) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 1000;
  constexpr std::size_t kKillAfterAcks = 100;
  TempDir dir;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    auto store = SqliteExecutionStore::Open(dir.path());
    if (!store.ok()) _exit(92);
    // Several writers, so commits are in flight when the kill lands.
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int k = 0; k < kPerThread; ++k) {
          int i = t * kPerThread + k;
          auto started = Started(i);
          Status s = Wait([&](ExecutionStore::Done done) {
            return (*store)->Create(started.state, started.outcome, done);
          });
          if (!s.ok()) _exit(93);
          ReportAck(fds[1], i);
        }
      });
    }
    for (auto& th : threads)
      th.join();
    _exit(96);  // finished before the parent killed it: the test proves nothing
  }
  close(fds[1]);
  std::vector<int> acks = ReadAcks(fds[0], pid, kKillAfterAcks);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  ASSERT_GE(acks.size(), kKillAfterAcks);
  ExpectDurable(dir.path(), acks, kThreads * kPerThread);
}

}  // namespace
}  // namespace durafn::store::testing
