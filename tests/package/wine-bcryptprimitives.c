/* For the Windows smoke test under wine only (scripts/cross-build builds it with
 * mingw-w64 into the emulator's prefix). Rust's standard library on Windows takes its
 * random numbers from ProcessPrng in bcryptprimitives.dll, which every Windows 10 and
 * later has and Debian's wine 8 lacks; this stands in for it there, through
 * BCryptGenRandom. It never ships: the addon imports the system's DLL on Windows. */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  return BCryptGenRandom(NULL, data, (ULONG)len, BCRYPT_USE_SYSTEM_PREFERRED_RNG) == 0;
}
