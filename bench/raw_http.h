// A minimal blocking HTTP/1.1 client for benchmarks: one keep-alive connection, requests
// written as prepared bytes, responses framed by Content-Length only (what durafn sends).
// The server and the bench share two cores, so the bench's own client must cost as little
// CPU as possible; api::HttpClient (Asio, deadlines, header maps) costs several times more
// per request, which the server's figures would then pay for.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace durafn::bench {

class RawHttpConnection {
 public:
  struct Response {
    int status = 0;
    std::string body;
  };

  explicit RawHttpConnection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    ok_ = fd_ >= 0 && ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0 &&
          ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawHttpConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawHttpConnection(const RawHttpConnection&) = delete;
  RawHttpConnection& operator=(const RawHttpConnection&) = delete;

  // The request for `method target` with a JSON body, ready to send.
  static std::string Request(std::string_view method, std::string_view target,
                             std::string_view body) {
    std::string r;
    r.reserve(method.size() + target.size() + body.size() + 96);
    r.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    r.append("Content-Type: application/json\r\nContent-Length: ");
    r.append(std::to_string(body.size())).append("\r\n\r\n").append(body);
    return r;
  }

  // Sends `request` and reads its response; status 0 when the connection failed.
  Response RoundTrip(std::string_view request) {
    Response out;
    if (!ok_ || !SendAll(request)) return out;
    std::size_t header_end = std::string::npos;
    for (;;) {
      header_end = buffer_.find("\r\n\r\n");
      if (header_end != std::string::npos) break;
      if (!ReadMore()) return out;
    }
    // "HTTP/1.1 200 OK"
    if (buffer_.size() < 12) return out;
    out.status = std::atoi(buffer_.c_str() + 9);
    std::size_t length = 0;
    const std::string_view head(buffer_.data(), header_end);
    for (std::string_view name : {"Content-Length: ", "content-length: "}) {
      if (auto at = head.find(name); at != std::string_view::npos) {
        length = std::strtoul(head.data() + at + name.size(), nullptr, 10);
      }
    }
    const std::size_t total = header_end + 4 + length;
    while (buffer_.size() < total) {
      if (!ReadMore()) {
        out.status = 0;
        return out;
      }
    }
    out.body.assign(buffer_, header_end + 4, length);
    buffer_.erase(0, total);
    return out;
  }

 private:
  bool SendAll(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return ok_ = false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  bool ReadMore() {
    char chunk[16384];
    for (;;) {
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return ok_ = false;
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
  }

  int fd_ = -1;
  bool ok_ = false;
  std::string buffer_;
};

}  // namespace durafn::bench
