package io.facegate.access;

/** The 1:N search the decision rule runs its evidence through: the gallery implements it. */
public interface Identifier {
    /** Best person for a unit-length probe; {@link Candidate#NONE} when nobody is enrolled. */
    Candidate best(float[] unitProbe);

    /**
     * Templates searched: each is one chance for a stranger to match by accident, so the threshold rises with it
     * (FPIR ~ templates x FAR).
     */
    int searchedTemplates();
}
