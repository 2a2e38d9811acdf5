// The durafn C++ SDK for durable functions: include this one header.
#pragma once

#include "durafn/batch_result.h"
#include "durafn/config.h"
#include "durafn/durable_context.h"
#include "durafn/duration.h"
#include "durafn/errors.h"
#include "durafn/lambda_client.h"
#include "durafn/lambda_context.h"
#include "durafn/logger.h"
#include "durafn/retry.h"
#include "durafn/runtime.h"
#include "durafn/serdes.h"
