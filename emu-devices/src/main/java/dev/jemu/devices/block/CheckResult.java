package dev.jemu.devices.block;

import java.util.List;

/**
 * The outcome of a consistency check, counted like qemu-img check: corruptions (references that the
 * refcounts do not cover, broken pointers, wrong COPIED flags) are dangerous, leaks (clusters counted
 * but unused) only waste space.
 *
 * @param messages        one line per problem found ("ERROR ..." or "Leaked cluster ...")
 * @param imageEndOffset  end of the last used cluster in the file
 */
public record CheckResult(String filename, String format, long corruptions, long leaks,
                          long corruptionsFixed, long leaksFixed, long allocatedClusters, long totalClusters,
                          long compressedClusters, long fragmentedClusters, long imageEndOffset,
                          List<String> messages) {
}
