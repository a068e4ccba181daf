package dev.jemu.cli;

import dev.jemu.core.machine.ConfigException;
import dev.jemu.core.machine.RtcOptions;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The flags scripts pass to QEMU ({@code -name}, {@code -rtc}, {@code -msg}, {@code -boot}, {@code -vga},
 * {@code -global}), each checked with QEMU 7.2's rules and words.
 */
final class ScriptingOptions {
    /** {@code -vga} types QEMU knows; every one but {@code none} needs a display jemu does not have. */
    static final List<String> VGA_TYPES = List.of("std", "cirrus", "vmware", "qxl", "xenfb", "tcx", "cg3", "virtio");

    private ScriptingOptions() {
    }

    /** QEMU's option syntax: {@code key=value} pairs, a first bare element is {@code implied}'s value. */
    static Map<String, String> pairs(String flag, String spec, String implied, Set<String> keys) throws ConfigException {
        Map<String, String> kv = new LinkedHashMap<>();
        List<String> parts = dev.jemu.devices.block.DriveOptions.split(spec);
        for (int i = 0; i < parts.size(); i++) {
            String p = parts.get(i);
            int eq = p.indexOf('=');
            String key = eq < 0 ? (i == 0 && implied != null ? implied : p) : p.substring(0, eq);
            String value = eq < 0 ? (i == 0 && implied != null ? p : "on") : p.substring(eq + 1);
            if (!keys.contains(key)) {
                throw new ConfigException(flag + " " + spec + ": Invalid parameter '" + key + "'");
            }
            kv.put(key, value);
        }
        return kv;
    }

    static boolean onOff(String flag, String spec, String key, String v) throws ConfigException {
        return switch (v) {
            case "on", "yes", "true" -> true;
            case "off", "no", "false" -> false;
            default -> throw new ConfigException(flag + " " + spec + ": Parameter '" + key + "' expects 'on' or 'off'");
        };
    }

    /** {@code -name NAME} or {@code guest=NAME,process=NAME,debug-threads=on|off}: the guest's name. */
    static String guestName(String spec) throws ConfigException {
        Map<String, String> kv = pairs("-name", spec, "guest", Set.of("guest", "process", "debug-threads"));
        if (kv.containsKey("debug-threads")) {
            onOff("-name", spec, "debug-threads", kv.get("debug-threads")); // jemu's threads are named anyway
        }
        return kv.get("guest");
    }

    /** {@code -vga none} is accepted; every other type needs a display. */
    static void vga(String type) throws ConfigException {
        if (type.equals("none")) {
            return;
        }
        if (VGA_TYPES.contains(type)) {
            throw new ConfigException("-vga " + type + ": jemu has no display, so no graphic card (use -vga none, "
                    + "-nographic for the serial console)");
        }
        throw new ConfigException("unknown vga type: " + type);
    }

    /** {@code -rtc base=utc|localtime|DATE,clock=host|rt|vm,driftfix=none|slew}. */
    static RtcOptions rtc(String spec, Instant now) throws ConfigException {
        Map<String, String> kv = pairs("-rtc", spec, null, Set.of("base", "clock", "driftfix"));
        long start = RtcOptions.nanos(now);
        String base = kv.getOrDefault("base", "utc");
        if (base.equals("localtime")) {
            LocalDateTime local = LocalDateTime.ofInstant(now, java.time.ZoneId.systemDefault());
            start = RtcOptions.nanos(local.toInstant(ZoneOffset.UTC)); // the RTC shows local time, as QEMU's does
        } else if (!base.equals("utc")) {
            start = RtcOptions.nanos(date(base));
        }
        boolean vm = switch (kv.getOrDefault("clock", "host")) {
            case "host", "rt" -> false;
            case "vm" -> true;
            default -> throw new ConfigException("-rtc " + spec + ": invalid option value '" + kv.get("clock") + "'");
        };
        String drift = kv.getOrDefault("driftfix", "none");
        if (!drift.equals("none") && !drift.equals("slew")) {
            throw new ConfigException("-rtc " + spec + ": invalid option value '" + drift + "'");
        }
        return new RtcOptions(start, vm);
    }

    private static Instant date(String s) throws ConfigException {
        try {
            if (s.length() == 10) {
                return LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC);
            }
            return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new ConfigException("-rtc base=" + s + ": invalid datetime format (valid formats: "
                    + "'2006-06-17T16:01:21' or '2006-06-17')");
        }
    }

    /** {@code -msg timestamp=on|off,guest-name=on|off}: [timestamps?, guest name shown?]. */
    static boolean[] msg(String spec) throws ConfigException {
        Map<String, String> kv = pairs("-msg", spec, null, Set.of("timestamp", "guest-name"));
        boolean ts = kv.containsKey("timestamp") && onOff("-msg", spec, "timestamp", kv.get("timestamp"));
        boolean name = kv.containsKey("guest-name") && onOff("-msg", spec, "guest-name", kv.get("guest-name"));
        return new boolean[] {ts, name};
    }

    /**
     * {@code -boot [order=]DRIVES,once=DRIVES,menu=,splash=,splash-time=,reboot-timeout=,strict=}, checked as
     * QEMU checks them. On virt QEMU hands them only to firmware through fw_cfg, which jemu does not have, so
     * they change nothing here; {@code once=} is refused, as QEMU refuses it on riscv.
     */
    static void boot(String spec) throws ConfigException {
        Map<String, String> kv = new LinkedHashMap<>();
        List<String> parts = dev.jemu.devices.block.DriveOptions.split(spec);
        Set<String> keys = Set.of("order", "once", "menu", "splash", "splash-time", "reboot-timeout", "strict");
        for (int i = 0; i < parts.size(); i++) {
            String p = parts.get(i);
            int eq = p.indexOf('=');
            String key = eq < 0 && i == 0 ? "order" : eq < 0 ? p : p.substring(0, eq);
            if (!keys.contains(key)) {
                throw new ConfigException("-boot " + spec + ": Parameter 'boot." + key + "' is unexpected");
            }
            kv.put(key, eq < 0 ? (i == 0 ? p : "on") : p.substring(eq + 1));
        }
        if (kv.containsKey("once")) {
            // QEMU's riscv boards have no way to change the boot order at run time, so QEMU refuses once=
            throw new ConfigException("-boot " + spec + ": no function defined to set boot device list for this "
                    + "architecture");
        }
        for (String k : List.of("order", "once")) {
            String drives = kv.get(k);
            if (drives != null) {
                bootDevices(spec, drives);
            }
        }
        for (String k : List.of("menu", "strict")) {
            if (kv.containsKey(k) && !Set.of("on", "off", "yes", "no", "true", "false").contains(kv.get(k))) {
                throw new ConfigException("-boot " + spec + ": Parameter 'boot." + k + "' expects 'on' or 'off'");
            }
        }
        for (String k : List.of("splash-time", "reboot-timeout")) {
            if (kv.containsKey(k)) {
                long n;
                try {
                    n = Long.parseLong(kv.get(k));
                } catch (NumberFormatException e) {
                    throw new ConfigException("-boot " + spec + ": Parameter 'boot." + k + "' expects integer");
                }
                if (k.equals("reboot-timeout") && (n < -1 || n > 65535)) {
                    throw new ConfigException("-boot " + spec + ": reboot timeout is invalid, it should be a value "
                            + "between -1 and 65535");
                }
            }
        }
    }

    private static void bootDevices(String spec, String drives) throws ConfigException {
        long seen = 0;
        for (char c : drives.toCharArray()) {
            if (c < 'a' || c > 'p') {
                throw new ConfigException("-boot " + spec + ": Invalid boot device '" + c + "'");
            }
            if ((seen & (1L << (c - 'a'))) != 0) {
                throw new ConfigException("-boot " + spec + ": Boot device '" + c + "' was given twice");
            }
            seen |= 1L << (c - 'a');
        }
    }

    /** {@code -global DRIVER.PROP=VALUE} or {@code driver=D,property=P,value=V}, as {@code DRIVER.PROP=VALUE}. */
    static String global(String spec) throws ConfigException {
        int dot = spec.indexOf('.'), eq = spec.indexOf('=');
        if (dot > 0 && eq > dot + 1 && !spec.substring(0, eq).contains(",")) {
            return spec;
        }
        Map<String, String> kv = pairs("-global", spec, null, Set.of("driver", "property", "value"));
        for (String k : List.of("driver", "property", "value")) {
            if (!kv.containsKey(k)) {
                throw new ConfigException("-global " + spec + ": Parameter '" + k + "' is missing");
            }
        }
        return kv.get("driver") + "." + kv.get("property") + "=" + kv.get("value");
    }
}
