package dev.jemu.cli.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class QuietLogConfiguratorTest {
    @Test
    void warningsOnlyToStderr() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertEquals(System.getenv("JEMU_LOG") == null ? Level.WARN : Level.toLevel(System.getenv("JEMU_LOG")), root.getLevel());
        assertNotNull(root.getAppender("stderr"), "jemu's stderr appender is installed");
        org.slf4j.Logger log = LoggerFactory.getLogger("dev.jemu.test");
        assertTrue(log.isWarnEnabled());
        assertFalse(log.isInfoEnabled() && System.getenv("JEMU_LOG") == null);
    }
}
