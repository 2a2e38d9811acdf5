// The Boost.Asio and Boost.Beast headers the HTTP layer uses, included in one place.
//
// GCC 12 with -O2 and the sanitizers reports a false -Wmaybe-uninitialized inside Beast's
// parser (boost::optional<uint64_t> content length, basic_parser.hpp) once it is inlined
// into our code, although the header is a system header. The warning is silenced for these
// headers only, so that -Werror stays on for everything of ours.
#pragma once

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop
