// Function logs over CloudWatch Logs' own wire protocol (awsJson1_1), so that AWS's clients
// (@aws-sdk/client-cloudwatch-logs, `aws logs filter-log-events`, `aws logs tail`) read
// durafn's logs unchanged: every call is `POST /` with
//   X-Amz-Target: Logs_20140328.<Operation>
//   Content-Type: application/x-amz-json-1.1
// and a JSON body; answers are JSON with the same content type. Errors are HTTP 400 (500 for
// durafn's own failures) with the X-Amzn-ErrorType header and {"__type": ..., "message": ...}:
//   ResourceNotFoundException   the log group (or GetLogEvents' stream) does not exist;
//   InvalidParameterException   a missing, mistyped, conflicting or out-of-range member, a bad
//                               nextToken, or a filter pattern outside durafn's subset
//                               (hosting/log_filter_pattern.h);
//   SerializationException      the body is not a JSON object;
//   UnknownOperationException   a missing X-Amz-Target or an operation durafn lacks;
//   ThrottlingException         the log query threads are saturated (retry).
//
// Operations: FilterLogEvents, GetLogEvents, DescribeLogGroups, DescribeLogStreams, with the
// members and limits of CloudWatch Logs. Differences:
//   - FilterLogEvents returns events in ingestion order (the order the lines were read from
//     the workers), which is time order for each stream. `interleaved` and `unmask` are
//     accepted and ignored. searchedLogStreams lists the streams the page's events came from.
//   - eventId is a decimal string that increases with ingestion order.
//   - Each log group is capped in size (oldest events are evicted); there is no retention
//     setting, so retentionInDays is never returned.
// durafn extensions to FilterLogEvents (ignored by AWS's clients unless sent):
//   requestId            (string) only lines printed while serving this invocation.
//   durableExecutionArn  (string) only lines printed for this durable execution.
//   afterEventId         (string) only events ingested after this eventId. Following a group
//                        is polling FilterLogEvents with afterEventId set to the last eventId
//                        seen; `aws logs tail --follow` (startTime + eventId dedup) also works.
#pragma once

#include "api/router.h"
#include "hosting/function_config.h"
#include "hosting/log_store.h"

namespace durafn::api {

struct LogsApiOptions {
  // Region and account in the ARNs of log groups and streams.
  hosting::Identity identity;
  // Threads that run log queries off the I/O threads, and requests that may wait for one;
  // beyond that requests are refused with ThrottlingException.
  int query_threads = 2;
  std::size_t max_queued_queries = 256;
};

// Registers `POST /` (the awsJson1_1 endpoint) on `router`. `store` must outlive the router
// and any server serving it; the query threads are owned by the registered handler and end
// with the router.
void RegisterLogsRoutes(Router& router, hosting::LogStore& store, LogsApiOptions options = {});

}  // namespace durafn::api
