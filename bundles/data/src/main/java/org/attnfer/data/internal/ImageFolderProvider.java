package org.attnfer.data.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.attnfer.api.ParamSpec;
import org.attnfer.api.Params;
import org.attnfer.api.data.Dataset;
import org.attnfer.api.data.DatasetProvider;
import org.attnfer.data.BadInput;
import org.attnfer.data.Images;
import org.osgi.service.component.annotations.Component;

/** Registers the {@code image-folder} dataset kind. */
@Component(service = DatasetProvider.class)
public final class ImageFolderProvider implements DatasetProvider {

    @Override
    public String id() {
        return "image-folder";
    }

    @Override
    public String doc() {
        return "a folder with one sub-folder of images per emotion (FER2013 image folders, RAF-DB, CK+, AffectNet"
                + " exports, JAFFE); reads " + Images.formats();
    }

    @Override
    public List<ParamSpec> options() {
        return List.of(
                ParamSpec.ofString("path", null, "the folder, relative to the experiment file"),
                ParamSpec.ofBoolean("contempt", false, "keep a contempt folder (CK+, AffectNet) as an eighth class"),
                ParamSpec.ofString(
                        "classes",
                        null,
                        "folders whose names are no emotion, mapped: \"Joy=happy, Other=skip\" (skip leaves one out)"),
                ParamSpec.ofChoice(
                        "extra_classes",
                        List.of("error", "allow"),
                        "a folder that is no emotion: stop naming it, or keep it as a class of its own"),
                ParamSpec.ofString(
                        "subject",
                        null,
                        "a regular expression whose first group reads the subject from a file name "
                                + "(default: CK+'s S005_001_... when every name fits it)"),
                BadInput.OPTION,
                ParamSpec.ofInt("cache_mb", 1024, "decoded pixels kept in memory, in MB (0: decode every epoch)")
                        .atLeast(0));
    }

    @Override
    public Dataset open(Params options, Path baseDir) throws IOException {
        if (!options.has("path")) {
            throw new IllegalArgumentException("image-folder needs a 'path'");
        }
        Pattern subject = null;
        if (options.has("subject")) {
            try {
                subject = Pattern.compile(options.getString("subject"));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("subject: not a regular expression: " + e.getDescription());
            }
        }
        return new ImageFolderDataset(
                baseDir.resolve(options.getString("path")).normalize(),
                new ImageFolderDataset.Options(
                        options.getBoolean("contempt"),
                        ClassNames.parseMapping(options.has("classes") ? options.getString("classes") : null),
                        options.getString("extra_classes").equals("allow"),
                        subject,
                        BadInput.of(options),
                        options.getInt("cache_mb") * 1024L * 1024L));
    }
}
