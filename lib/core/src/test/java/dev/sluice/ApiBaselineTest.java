package dev.sluice;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Holds the exported API to a committed list, so that every change to it is deliberate: the public and protected
 * types, constructors, methods and fields of the packages module {@code dev.sluice} exports, with generic
 * signatures, one per line, sorted. A change shows up as added and removed lines; after a deliberate change,
 * rewrite the list with {@code mvn -B -pl lib/core test -Dtest=ApiBaselineTest -Dsluice.api.update=true} and
 * commit it with the change.
 */
class ApiBaselineTest {

    private static final String UPDATE_PROPERTY = "sluice.api.update";

    private static final Path BASELINE = Path.of(System.getProperty("basedir", "."))
            .resolve("src/test/resources/api-baseline.txt");

    @Test
    void exportedApiMatchesTheCommittedBaseline() throws Exception {
        List<String> actual = exportedSignatures();
        assertFalse(actual.isEmpty(), "found no exported types under " + classesDirectory());
        if (Boolean.getBoolean(UPDATE_PROPERTY)) {
            Files.write(BASELINE, actual, StandardCharsets.UTF_8);
            return;
        }
        if (!Files.exists(BASELINE)) {
            fail("no API baseline at " + BASELINE + "; create it with -D" + UPDATE_PROPERTY + "=true");
        }
        List<String> expected = Files.readAllLines(BASELINE, StandardCharsets.UTF_8);
        Set<String> added = new TreeSet<>(actual);
        expected.forEach(added::remove);
        Set<String> removed = new TreeSet<>(expected);
        actual.forEach(removed::remove);
        if (!added.isEmpty() || !removed.isEmpty()) {
            fail("the exported API differs from " + BASELINE + "\n"
                    + lines("added", added) + lines("removed", removed)
                    + "If the change is deliberate, rewrite the baseline with"
                    + " mvn -B -pl lib/core test -Dtest=ApiBaselineTest -D" + UPDATE_PROPERTY + "=true"
                    + " and commit it with the change.");
        }
    }

    private static String lines(String title, Set<String> lines) {
        if (lines.isEmpty()) {
            return "";
        }
        return lines.stream().map(line -> "  " + line).collect(Collectors.joining("\n", title + ":\n", "\n"));
    }

    /** Every exported signature, sorted: a type's own line first, then its members, then its nested types. */
    private static List<String> exportedSignatures() throws IOException, ClassNotFoundException {
        Path classes = classesDirectory();
        ModuleDescriptor module;
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            module = ModuleDescriptor.read(in);
        }
        Set<String> signatures = new TreeSet<>();
        for (ModuleDescriptor.Exports exports : module.exports()) {
            if (exports.isQualified()) {
                continue;
            }
            for (Class<?> type : typesOf(classes, exports.source())) {
                if (isApi(type)) {
                    describe(type, signatures);
                }
            }
        }
        return new ArrayList<>(signatures);
    }

    private static Path classesDirectory() {
        try {
            return Path.of(ProxyServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Class<?>> typesOf(Path classes, String packageName)
            throws IOException, ClassNotFoundException {
        List<Class<?>> types = new ArrayList<>();
        try (Stream<Path> files = Files.list(classes.resolve(packageName.replace('.', '/')))) {
            for (Path file : files.sorted().collect(Collectors.toList())) {
                String name = file.getFileName().toString();
                if (name.endsWith(".class") && !name.equals("package-info.class")) {
                    String binaryName = packageName + "." + name.substring(0, name.length() - ".class".length());
                    types.add(Class.forName(binaryName, false, ApiBaselineTest.class.getClassLoader()));
                }
            }
        }
        return types;
    }

    /** A type a user can name: public or protected, and so is every type around it. */
    private static boolean isApi(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
            if (t.isAnonymousClass() || t.isLocalClass() || t.isSynthetic() || !visible(t.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void describe(Class<?> type, Set<String> signatures) {
        String name = type.getName();
        signatures.add(name + " " + declaration(type));
        List<Member> members = new ArrayList<>();
        members.addAll(Arrays.asList(type.getDeclaredConstructors()));
        members.addAll(Arrays.asList(type.getDeclaredMethods()));
        members.addAll(Arrays.asList(type.getDeclaredFields()));
        for (Member member : members) {
            if (visible(member.getModifiers()) && !member.isSynthetic()) {
                signatures.add(name + "#" + signature(member));
            }
        }
    }

    private static String declaration(Class<?> type) {
        StringBuilder line = new StringBuilder(type.toGenericString());
        Type superclass = type.getGenericSuperclass();
        if (superclass != null && superclass != Object.class && !type.isEnum() && !type.isRecord()) {
            line.append(" extends ").append(superclass.getTypeName());
        }
        Type[] interfaces = type.getGenericInterfaces();
        if (interfaces.length > 0) {
            line.append(type.isInterface() ? " extends " : " implements ")
                    .append(Arrays.stream(interfaces).map(Type::getTypeName).collect(Collectors.joining(", ")));
        }
        if (type.isSealed()) {
            line.append(" permits ").append(Arrays.stream(type.getPermittedSubclasses())
                    .map(Class::getName).sorted().collect(Collectors.joining(", ")));
        }
        return line.toString();
    }

    private static String signature(Member member) {
        if (member instanceof Method method) {
            return method.toGenericString();
        }
        if (member instanceof Constructor<?> constructor) {
            return constructor.toGenericString();
        }
        return ((Field) member).toGenericString();
    }
}
