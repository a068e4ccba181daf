package dev.jemu.core.state;

/** Named fields out; see {@link Stateful}. */
public interface StateWriter {
    StateWriter putLong(String name, long value);

    StateWriter putInt(String name, int value);

    StateWriter putBoolean(String name, boolean value);

    StateWriter putBytes(String name, byte[] value);

    StateWriter putLongs(String name, long[] value);

    StateWriter putInts(String name, int[] value);

    StateWriter putString(String name, String value);
}
