package dev.jemu.devices.x86;

import static org.junit.jupiter.api.Assertions.*;

import dev.jemu.core.machine.ExitRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AcpiGedTest {
    final List<ExitRequest> exits = new ArrayList<>();
    final List<Boolean> irq = new ArrayList<>();
    final AcpiGed ged = new AcpiGed(AcpiGed.POWER_DOWN_EVENT, irq::add, exits::add);

    @Test
    void sleepTypeS5PowersOffWithStatus0() {
        ged.registers().write(AcpiGed.SLEEP_CONTROL, 1, 5 << 2); // SLP_TYP without SLP_EN: nothing
        assertTrue(exits.isEmpty());
        ged.registers().write(AcpiGed.SLEEP_CONTROL, 1, 5 << 2 | 1 << 5);
        assertEquals(List.of(ExitRequest.poweroff(0)), exits);
    }

    @Test
    void resetValueResets() {
        ged.registers().write(AcpiGed.RESET, 1, 0x41);
        assertTrue(exits.isEmpty());
        ged.registers().write(AcpiGed.RESET, 1, 0x42);
        assertEquals(List.of(ExitRequest.reset()), exits);
    }

    @Test
    void powerButtonSetsSelectorAndPulsesIrq() {
        ged.event(AcpiGed.POWER_DOWN_EVENT);
        assertEquals(List.of(true, false), irq);
        assertEquals(2, ged.events().read(0, 4));
        assertEquals(0, ged.events().read(0, 4), "reading the selector clears it");
        ged.event(AcpiGed.MEM_HOTPLUG_EVENT);
        assertEquals(0, ged.events().read(0, 4), "not an enabled event");
    }
}
