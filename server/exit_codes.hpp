#pragma once
// Process exit codes, so scripts and service managers can tell failures apart.

namespace civicline::server::exit_code {

inline constexpr int ok = 0;
inline constexpr int usage = 64;       ///< bad command line (as sysexits' EX_USAGE)
inline constexpr int refused = 65;     ///< the input is valid but the data says no (EX_DATAERR)
inline constexpr int bad_config = 78;  ///< the config file is invalid (EX_CONFIG)
inline constexpr int storage_unavailable = 74;  ///< the database cannot be opened (EX_IOERR)
inline constexpr int cannot_listen = 69;        ///< the address is taken (EX_UNAVAILABLE)
inline constexpr int server_unreachable = 69;   ///< a command could not reach the server

}  // namespace civicline::server::exit_code
