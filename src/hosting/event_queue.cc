#include "hosting/event_queue.h"

#include <fstream>

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "protocol/thread_name.h"

namespace durafn::hosting {
namespace fs = std::filesystem;
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool SafeId(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<EventQueue>> EventQueue::Open(fs::path dir,
                                                     std::vector<std::chrono::milliseconds> delays,
                                                     std::size_t capacity,
                                                     std::chrono::milliseconds throttle_backoff) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Unavailable("cannot create " + dir.string());
  std::unique_ptr<EventQueue> q(new EventQueue(dir, std::move(delays), capacity, throttle_backoff));
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".json") {
      fs::remove(entry.path(), ec);  // a write that never completed
      continue;
    }
    std::ifstream in(entry.path());
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (!j.is_object()) continue;
    QueuedEvent e;
    e.id = j.value("id", "");
    e.function_arn = j.value("function_arn", "");
    e.invoked_function_arn = j.value("invoked_function_arn", "");
    e.payload = j.value("payload", "");
    e.attempt = j.value("attempt", 0);
    e.due_ms = j.value("due_ms", int64_t{0});
    e.throttles = j.value("throttles", 0);
    e.enqueued_ms = j.value("enqueued_ms", NowMs());
    if (!SafeId(e.id)) continue;
    q->due_.emplace(e.due_ms, std::move(e));
  }
  return q;
}

EventQueue::~EventQueue() {
  Stop();
}

void EventQueue::Start(Runner runner) {
  runner_ = std::move(runner);
  thread_ = std::thread([this] {
    SetThreadName("event-queue");
    Run();
  });
}

void EventQueue::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::size_t EventQueue::size() const {
  std::lock_guard lock(mu_);
  return due_.size() + running_;
}

Status EventQueue::Write(const QueuedEvent& e) const {
  nlohmann::json j = {{"id", e.id},
                      {"function_arn", e.function_arn},
                      {"invoked_function_arn", e.invoked_function_arn},
                      {"payload", e.payload},
                      {"attempt", e.attempt},
                      {"due_ms", e.due_ms},
                      {"throttles", e.throttles},
                      {"enqueued_ms", e.enqueued_ms}};
  std::string text = j.dump();
  fs::path tmp = dir_ / (e.id + ".tmp"), final_path = dir_ / (e.id + ".json");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable("cannot write " + tmp.string());
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ok && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), final_path.c_str()) != 0) {
    return Status::Unavailable("cannot write " + final_path.string());
  }
  int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

void EventQueue::Remove(const std::string& id) const {
  std::error_code ec;
  fs::remove(dir_ / (id + ".json"), ec);
}

Status EventQueue::Enqueue(QueuedEvent event) {
  if (!SafeId(event.id)) return Status::InvalidArgument("bad event id");
  {
    std::lock_guard lock(mu_);
    if (due_.size() + running_ >= capacity_) {
      return Status::ResourceExhausted("The asynchronous invocation queue is full");
    }
  }
  if (event.enqueued_ms == 0) event.enqueued_ms = NowMs();
  if (auto s = Write(event); !s.ok()) return s;
  {
    std::lock_guard lock(mu_);
    due_.emplace(event.due_ms, std::move(event));
  }
  cv_.notify_all();
  return Status::Ok();
}

void EventQueue::Requeue(QueuedEvent event, int64_t due_ms) {
  event.due_ms = due_ms;
  Write(event);  // a failed write only loses the retry's delay at a restart
  {
    std::lock_guard lock(mu_);
    --running_;
    due_.emplace(event.due_ms, std::move(event));
  }
  cv_.notify_all();
}

void EventQueue::Finished(QueuedEvent event, EventOutcome outcome) {
  const int64_t now = NowMs();
  if (outcome == EventOutcome::kThrottled &&
      now - event.enqueued_ms < std::chrono::milliseconds(kMaxEventAge).count()) {
    // 1 s, 2 s, 4 s ... up to 5 minutes, as Lambda backs off throttled events.
    int doublings = std::min(event.throttles, 20);
    int64_t backoff = std::min<int64_t>(throttle_backoff_.count() << doublings, 5 * 60 * 1000);
    ++event.throttles;
    return Requeue(std::move(event), now + backoff);
  }
  if (outcome == EventOutcome::kFunctionError) {
    ++event.attempt;
    auto retries_done = static_cast<std::size_t>(event.attempt - 1);
    if (retries_done < delays_.size()) {
      return Requeue(std::move(event), now + delays_[retries_done].count());
    }
  }
  Remove(event.id);  // done, out of retries, or throttled past the maximum age
  std::lock_guard lock(mu_);
  --running_;
}

void EventQueue::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (due_.empty()) {
      cv_.wait(lock);
      continue;
    }
    int64_t now = NowMs();
    auto first = due_.begin();
    if (first->first > now) {
      cv_.wait_for(lock, std::chrono::milliseconds(first->first - now));
      continue;
    }
    QueuedEvent e = std::move(first->second);
    due_.erase(first);
    ++running_;
    lock.unlock();
    QueuedEvent copy = e;
    runner_(copy, [this, e = std::move(e)](EventOutcome outcome) mutable {
      Finished(std::move(e), outcome);
    });
    lock.lock();
  }
}

}  // namespace durafn::hosting
