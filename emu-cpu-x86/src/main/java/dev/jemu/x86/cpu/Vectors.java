package dev.jemu.x86.cpu;

/** Exception vector numbers (Intel SDM vol. 3, 6.15). */
public final class Vectors {
    public static final int DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8, TS = 10,
            NP = 11, SS = 12, GP = 13, PF = 14, MF = 16, AC = 17, MC = 18, XM = 19;

    private Vectors() {
    }

    /** Whether the exception pushes an error code (#DF, #TS, #NP, #SS, #GP, #PF, #AC). */
    public static boolean hasErrorCode(int vector) {
        return vector == DF || (vector >= TS && vector <= PF) || vector == AC;
    }
}
