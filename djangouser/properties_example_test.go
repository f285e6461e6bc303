package djangouser_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangouser"
)

// In a service's tests, MemoryProperties stands in for sqlstore or
// pgxstore's Properties: the same properties, types and errors, here for
// a custom user model with an extra field.
func ExampleMemoryProperties() {
	ctx := context.Background()
	s := djangobridge.Defaults()
	s.UserModel.Table = "accounts_user"
	s.UserModel.ExtraFields = []djangobridge.Field{
		{Name: "birthday", Type: "DateField", Null: true},      // models.DateField(null=True)
		{Name: "level", Type: "SmallIntegerField", Default: 1}, // models.SmallIntegerField(default=1)
	}
	var props djangouser.Properties
	mem, err := djangouser.NewMemoryProperties(&s)
	if err != nil {
		log.Fatal(err)
	}
	if err := mem.AddUser(ctx, "ada", map[string]any{"email": "ada@example.org"}); err != nil {
		log.Fatal(err)
	}
	props = mem

	_ = props.SetMany(ctx, "ada", map[string]any{"birthday": time.Date(1815, 12, 10, 0, 0, 0, 0, time.UTC), "level": 3})
	all, _ := props.All(ctx, "ada")
	fmt.Println(all["email"], all["birthday"].(time.Time).Format(time.DateOnly), all["level"])

	_ = props.Remove(ctx, "ada", "level") // back to the default
	level, _ := props.Get(ctx, "ada", "level")
	fmt.Println(level)

	_, err = props.Get(ctx, "ada", "nickname")
	var pe *djangouser.PropertyError
	fmt.Println(errors.Is(err, djangouser.ErrUnknownProperty), errors.As(err, &pe) && pe.Name == "nickname")
	// Output:
	// ada@example.org 1815-12-10 3
	// 1
	// true true
}
