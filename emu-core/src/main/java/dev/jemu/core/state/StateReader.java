package dev.jemu.core.state;

/** Named fields in; a missing field without a default is a {@link StateException}. */
public interface StateReader {
    int version();

    boolean has(String name);

    long getLong(String name);

    long getLong(String name, long dflt);

    int getInt(String name);

    int getInt(String name, int dflt);

    boolean getBoolean(String name);

    boolean getBoolean(String name, boolean dflt);

    byte[] getBytes(String name);

    long[] getLongs(String name);

    int[] getInts(String name);

    String getString(String name);
}
