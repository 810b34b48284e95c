package crypto

import (
	"encoding/hex"
	"testing"
)

func TestPadAlphabet(t *testing.T) {
	// V-PAD: 1->'1' … 9->'9', 10->'a' … 16->'g'.
	want := map[int]byte{1: '1', 2: '2', 3: '3', 4: '4', 5: '5', 6: '6', 7: '7', 8: '8', 9: '9',
		10: 'a', 11: 'b', 12: 'c', 13: 'd', 14: 'e', 15: 'f', 16: 'g'}
	for n, c := range want {
		var block [BlockSize]byte
		padBlock(&block, BlockSize-n)
		for i := BlockSize - n; i < BlockSize; i++ {
			if block[i] != c {
				t.Fatalf("pad %d: byte %d is %q, want %q", n, i, block[i], c)
			}
		}
		if used, err := unpadBlock(&block); err != nil || used != BlockSize-n {
			t.Errorf("unpad of pad %d = %d, %v", n, used, err)
		}
	}
}

func TestVectorMultipartTailBlock(t *testing.T) {
	// V-ENC-MPU, derived: the last block decrypted with the one before it.
	tail, _ := hex.DecodeString("c391f2ab9b0cbdbd0139b30ab7dd39634246c83a08185353dd49e024965e7800d495324bc1409fa1054c9fe43c39dddf")
	tail = tail[len(tail)-TailSize:]
	got := decryptTailBlock(Key([]byte("0123456789abcdef")), tail)
	if h := hex.EncodeToString(got[:]); h != "33343536216262626262626262626262" {
		t.Errorf("tail block = %s, want 33343536216262626262626262626262", h)
	}
}
