package dev.sluice.examples;

/** The runnable jar's entry point; until the proxy exists, it shows the routing example. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        RoutingExample.main(args);
    }
}
