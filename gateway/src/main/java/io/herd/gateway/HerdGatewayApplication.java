package io.herd.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

import java.util.ArrayList;
import java.util.List;

/**
 * Herd's server: {@code java -jar herd-gateway.jar [--config config.yaml]}. Without {@code --config}
 * (or the property {@code herd.config}) the built-in configuration is used.
 */
@SpringBootApplication
public class HerdGatewayApplication {

    public static void main(String[] args) {
        SpringApplication.run(HerdGatewayApplication.class, translateArguments(args));
    }

    /** {@code --config FILE} and {@code --config=FILE} become Spring's {@code --herd.config=FILE}. */
    static String[] translateArguments(String[] args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--config")) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--config needs a file: --config config.yaml");
                }
                out.add("--herd.config=" + args[++i]);
            } else if (a.startsWith("--config=")) {
                out.add("--herd.config=" + a.substring("--config=".length()));
            } else {
                out.add(a);
            }
        }
        return out.toArray(String[]::new);
    }
}
