-- wrk script for bench/serve_load.py: a weighted mix of requests, a fixed number of responses,
-- and a JSON summary (latency percentiles, statuses, socket errors) on stdout.
--
-- bench/serve_load.py writes a Lua file defining LIMIT (responses to collect in all), THREADS (wrk -t)
-- and REQUESTS (a list of {weight, method, path, headers, body}), followed by this file.

local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

function init(args)
   math.randomseed(1000 + id)
   responses, s2xx, s3xx, s4xx, s5xx = 0, 0, 0, 0, 0
   limit = math.ceil(LIMIT / THREADS)  -- THREADS: set by serve_load.py (wrk does not tell a thread)
   total_weight = 0
   for _, r in ipairs(REQUESTS) do total_weight = total_weight + r.weight end
   formatted = {}
   for i, r in ipairs(REQUESTS) do formatted[i] = wrk.format(r.method, r.path, r.headers, r.body) end
end

function request()
   local pick = math.random() * total_weight
   for i, r in ipairs(REQUESTS) do
      pick = pick - r.weight
      if pick <= 0 then return formatted[i] end
   end
   return formatted[#formatted]
end

function response(status, headers, body)
   responses = responses + 1
   if status >= 500 then s5xx = s5xx + 1
   elseif status >= 400 then s4xx = s4xx + 1
   elseif status >= 300 then s3xx = s3xx + 1
   else s2xx = s2xx + 1 end
   if responses == limit then
      -- wrk would idle until -d ends: serve_load.py interrupts it (SIGINT) once every thread is done
      io.write("THREAD_DONE\n")
      io.flush()
      wrk.thread:stop()
   end
end

function done(summary, latency, requests)
   local counts = {s2xx = 0, s3xx = 0, s4xx = 0, s5xx = 0}
   for _, t in ipairs(threads) do
      for name, _ in pairs(counts) do counts[name] = counts[name] + (t:get(name) or 0) end
   end
   local e = summary.errors
   io.write(string.format(
      'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
      '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, ' ..
      '"s2xx": %d, "s3xx": %d, "s4xx": %d, "s5xx": %d, ' ..
      '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, "status_errors": %d}\n',
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
      counts.s2xx, counts.s3xx, counts.s4xx, counts.s5xx,
      e.connect, e.read, e.write, e.timeout, e.status))
end
