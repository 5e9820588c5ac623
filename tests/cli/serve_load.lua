-- wrk script for the serving tests and benchmarks: POSTs one request body
-- (WRK_BODY, default a single Iris row) and counts answers that are not
-- predictions, so a wrong body is caught as well as a wrong status.
wrk.method = "POST"
wrk.body = os.getenv("WRK_BODY") or '{"instances": [[5.1, 3.5, 1.4, 0.2]]}'
wrk.headers["Content-Type"] = "application/json"

local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    bad = 0
end

function response(status, headers, body)
    if status ~= 200 or not string.find(body, '"predictions"', 1, true) then
        bad = bad + 1
    end
end

function done(summary, latency, requests)
    local total = 0
    for _, t in ipairs(threads) do
        total = total + t:get("bad")
    end
    io.write(string.format("bad answers: %d\n", total))
    io.write(string.format("latency p50 %.0f us, p99 %.0f us\n",
        latency:percentile(50), latency:percentile(99)))
end
