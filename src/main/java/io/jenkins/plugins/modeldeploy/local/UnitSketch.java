package io.jenkins.plugins.modeldeploy.local;

import java.nio.charset.StandardCharsets;

/**
 * Distinct assignment units (sticky header values) a variant served, estimated in fixed memory: a HyperLogLog with
 * 2^12 one-byte registers (4 KiB, standard error about 1.6%), with linear counting while few registers are set, which
 * is exact in practice for tens of units. Thread-safe.
 */
final class UnitSketch {
    private static final int BITS = 12;
    private static final int REGISTERS = 1 << BITS;

    private final byte[] registers = new byte[REGISTERS];

    void add(String value) {
        long hash = hash64(value, 0x5eed5eed5eedL);
        int index = (int) (hash >>> (64 - BITS));
        // leading zeros of the remaining bits, plus one; a sentinel bit bounds it
        byte rank = (byte) (Long.numberOfLeadingZeros((hash << BITS) | (1L << (BITS - 1))) + 1);
        synchronized (registers) {
            if (registers[index] < rank) {
                registers[index] = rank;
            }
        }
    }

    long estimate() {
        double sum = 0;
        int zeros = 0;
        synchronized (registers) {
            for (byte register : registers) {
                sum += 1.0 / (1L << register);
                if (register == 0) {
                    zeros++;
                }
            }
        }
        double alpha = 0.7213 / (1 + 1.079 / REGISTERS);
        double raw = alpha * REGISTERS * (double) REGISTERS / sum;
        if (raw <= 2.5 * REGISTERS && zeros > 0) {
            return Math.round(REGISTERS * Math.log((double) REGISTERS / zeros)); // linear counting
        }
        return Math.round(raw);
    }

    /** FNV-1a over the UTF-8 bytes of {@code value}, seeded, then MurmurHash3's 64-bit finalizer to mix all bits. */
    static long hash64(String value, long seed) {
        long hash = 0xcbf29ce484222325L ^ seed;
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        hash *= 0xc4ceb9fe1a85ec53L;
        hash ^= hash >>> 33;
        return hash;
    }
}
