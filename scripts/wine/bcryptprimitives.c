// A stand-in for Windows' bcryptprimitives.dll, for running the Windows build
// of ks3sync under Wine 8 (Debian 12), whose own bcryptprimitives.dll lacks
// ProcessPrng. The Go runtime (since Go 1.22) loads ProcessPrng at start and
// stops with "bcryptprimitives.dll not found" without it.
//
// ProcessPrng fills the buffer from RtlGenRandom (advapi32's
// SystemFunction036), which Wine implements over the host's random source.
// Windows documents ProcessPrng as always returning TRUE; this stub returns
// FALSE if RtlGenRandom fails, which makes the Go runtime stop rather than
// run on unfilled bytes.
//
// Test use only: scripts/wine-e2e.sh builds it with mingw-w64
//   x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll \
//     bcryptprimitives.c bcryptprimitives.def -ladvapi32
// and puts it next to ks3sync.exe. It is never shipped.
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
