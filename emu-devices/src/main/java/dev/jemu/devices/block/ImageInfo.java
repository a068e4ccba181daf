package dev.jemu.devices.block;

import java.util.List;
import java.util.Map;

/**
 * What `info` shows of an image. Field names follow qemu-img's JSON output.
 *
 * @param clusterSize    0 when the format has no clusters
 * @param dirty          null when the format has no dirty flag
 * @param formatSpecific ordered key/values shown under "format-specific"."data" (empty: none)
 */
public record ImageInfo(String filename, String format, long virtualSize, long actualSize, int clusterSize,
                        Boolean dirty, String backingFilename, String fullBackingFilename,
                        String backingFormat, Map<String, Object> formatSpecific, List<SnapshotInfo> snapshots) {
}
