// jemalloc's settings for the server binary (compiled in only when it links jemalloc; see
// CIVICLINE_JEMALLOC). jemalloc reads this symbol at its first allocation; MALLOC_CONF in the
// environment still overrides it.
//
// - One arena: a handful of threads (the writer, the I/O threads, the dispatchers) do not need
//   jemalloc's default of four per CPU, and each extra arena keeps its own free pages.
//   Throughput at 64 webhook connections was the same (19.2k against 16.7-19.5k req/s).
// - Freed pages go back to the system after 2 s instead of 10, so resident memory follows use
//   rather than lagging it: the soak's leak check (bench/soak) compares two RSS samples.
extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's interface.
const char* malloc_conf = "narenas:1,dirty_decay_ms:2000,muzzy_decay_ms:0";
}
