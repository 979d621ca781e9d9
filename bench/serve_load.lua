-- wrk script for bench/serve_load.sh: the search page with a mix of queries and filters,
-- as secretariat staff would type them (plain words, phrases, prefixes, OR, references).
local queries = {
  "q=fastlege",
  "q=fastlege+rekruttering",
  "q=legevakt&tema=fastlegekrise",
  "q=%22felles+planlegging%22",
  "q=helsefellesskap&type=nou",
  "q=sykepleiere&tema=rekruttering",
  "q=kommune*",
  "q=barn+OR+ungdom",
  "q=prop+98+l",
  "q=digitalisering&ar=2099",
  "q=partnarskapsm%C3%B8tet",
  "q=samarbeidsavtale+-fastlege",
  "q=listelengde",
  "q=utskrivningsklare+pasienter",
  "q=%C2%A7+6-2",
  "q=ALIS",
}

local counter = 0

function setup(thread)
  thread:set("offset", counter)
  counter = counter + 5
end

function init(args)
  n = offset
end

function request()
  n = n + 1
  return wrk.format("GET", "/sok?" .. queries[(n % #queries) + 1])
end

local non_200 = 0
function response(status, headers, body)
  if status ~= 200 then
    non_200 = non_200 + 1
  end
end

function done(summary, latency, requests)
  io.write(string.format("requests: %d in %.1f s = %.0f req/s; errors: connect %d, read %d, write %d, timeout %d, status %d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status))
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("p%-5s %8.2f ms\n", tostring(p), latency:percentile(p) / 1000))
  end
  io.write(string.format("max    %8.2f ms\n", latency.max / 1000))
end
