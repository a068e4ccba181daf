package dev.jemu.devices.block;

/** What `check -r` may change: nothing, leaked clusters only, or also corruptions it can fix. */
public enum RepairMode { NONE, LEAKS, ALL }
