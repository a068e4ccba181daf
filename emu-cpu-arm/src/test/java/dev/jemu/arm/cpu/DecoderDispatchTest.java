package dev.jemu.arm.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class DecoderDispatchTest {
    @Test
    void reservedGroupIsUndefined() {
        assertSame(A64Decoder.UNDEFINED, A64Decoder.decode(0x00000000)); // op0 = 0000: UDF #0
        assertSame(A64Decoder.UNDEFINED, A64Decoder.decode(0x04000000)); // op0 = 0010: SVE, not implemented
    }

    @Test
    void undefinedInstructionRaisesUnknownReason() {
        TestRig r = new TestRig().load(0x00000000);
        r.cpu.excClass = -1;
        r.run(1);
        assertEquals(Syndrome.EC_UNKNOWN, r.cpu.excClass);
        assertEquals(TestRig.RAM, r.cpu.excReturn);
    }

    @Test
    void systemAndExceptionEncodingsGoToTheSystemDecoder() {
        assertEquals(true, A64Decoder.isSystemOrException(0xd4000001)); // svc #0
        assertEquals(true, A64Decoder.isSystemOrException(0xd503201f)); // nop
        assertEquals(true, A64Decoder.isSystemOrException(0xd69f03e0)); // eret
        assertEquals(false, A64Decoder.isSystemOrException(0xd65f03c0)); // ret
        assertEquals(false, A64Decoder.isSystemOrException(0x14000000)); // b .
    }
}
