-- wrk script: every request books a slot no request booked before, cycling over
-- the bench clinic's 20 vets and then forward by 15 minutes. Reads BENCH_TOKEN,
-- BENCH_PET, BENCH_SERVICE, BENCH_VETS (comma-separated) and BENCH_FROM (epoch s).
local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

function init(args)
  vets = {}
  for vet in string.gmatch(os.getenv("BENCH_VETS"), "[^,]+") do table.insert(vets, vet) end
  token = os.getenv("BENCH_TOKEN")
  pet = os.getenv("BENCH_PET")
  service = os.getenv("BENCH_SERVICE")
  from = tonumber(os.getenv("BENCH_FROM"))
  stride = tonumber(os.getenv("BENCH_THREADS"))
  counter = id
  created, refused = 0, 0
end

request = function()
  local vet = vets[(counter % #vets) + 1]
  local slot = math.floor(counter / #vets)
  counter = counter + stride
  local starts = os.date("!%Y-%m-%dT%H:%M:%SZ", from + slot * 900)
  local body = string.format('{"pet_id":"%s","service_id":"%s","vet_id":"%s","starts_at":"%s"}', pet, service, vet, starts)
  return wrk.format("POST", "/api/v1/appointments",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end
