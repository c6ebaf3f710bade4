package dev.sluice.internal.proxy;

/**
 * The field edits of a head a handler edits, shared by {@link RequestEdits} and {@link ResponseEdits}: each edit
 * goes to {@link #fields} and returns the editor, typed as the public interface it implements.
 */
abstract class HeadEdits<T> {

    final FieldEdits fields = new FieldEdits();

    /** This editor as its public interface, for chaining. */
    abstract T self();

    public T setHeader(String name, String value) {
        fields.set(name, value);
        return self();
    }

    public T addHeader(String name, String value) {
        fields.add(name, value);
        return self();
    }

    public T removeHeader(String name) {
        fields.remove(name);
        return self();
    }
}
